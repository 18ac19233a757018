import { ok } from '../result';
import { splitAddress, srsTagOf } from './address';
import type { SrsContext } from './context';
import { expired, FAILURES, hashTooShort } from './failures';
import { parseSrs0Fields, parseSrs1Fields } from './fields';
import { isHashText } from './hash';
import { dayOf, parseTimestamp, TIMESTAMP_SLOTS, timestampAgeDays } from './timestamp';
import type { SrsResult } from './types';

/**
 * Mail::SRS::Guarded reverse, with stricter parsing: `SRS0<s>HASH=TT=domain=local@any` gives
 * `local@domain`; `SRS1<s>HASH=hop=REST@any` gives `SRS0REST@hop` (the inner SRS0 is left to the
 * first hop to check). Any separator is accepted after the tag. The domain after the last `@`
 * is not looked at: whether it is ours is the caller's policy.
 *
 * Order: structure (malformed), then hash (bad-hash), then age (expired); nothing in the
 * address is trusted before its hash is.
 */
export function reverseAddress(context: SrsContext, address: string): SrsResult {
  // The tag lies in the first five characters, none of which can be an `@` if it matches.
  const tag = srsTagOf(address);
  if (tag === null) return FAILURES.notSrs;
  const parts = splitAddress(address);
  if (parts === null) return FAILURES.noDomain;
  if (parts.local.includes('@')) return FAILURES.atInLocalPart;
  return tag === 'SRS0' ? reverseSrs0(context, parts.local) : reverseSrs1(context, parts.local);
}

function reverseSrs0(context: SrsContext, local: string): SrsResult {
  const fields = parseSrs0Fields(local);
  if (fields === null) return FAILURES.srs0Fields;
  const { hash, stamp, domain, user } = fields;
  const slot = parseTimestamp(stamp);
  if (slot === null) return FAILURES.timestamp;

  const hashFailure = checkHash(context, hash, stamp + domain + user);
  if (hashFailure !== null) return hashFailure;

  const { now, maxAgeDays } = context.options;
  const ageDays = timestampAgeDays(slot, dayOf(now()));
  if (ageDays > maxAgeDays) return expired(ageDays, maxAgeDays, TIMESTAMP_SLOTS);
  return ok(`${user}@${domain}`);
}

/** SRS1 carries no timestamp. */
function reverseSrs1(context: SrsContext, local: string): SrsResult {
  const fields = parseSrs1Fields(local);
  if (fields === null) return FAILURES.srs1Fields;
  const { hash, hop, opaque } = fields;
  if (hash.includes('.')) return FAILURES.hashlessSrs1;

  const hashFailure = checkHash(context, hash, hop + opaque);
  if (hashFailure !== null) return hashFailure;
  return ok(`SRS0${opaque}@${hop}`);
}

function checkHash(context: SrsContext, hash: string, fields: string): SrsResult | null {
  if (!isHashText(hash)) return FAILURES.hashCharacters;
  const { hashMin } = context.options;
  if (hash.length < hashMin) return hashTooShort(hash.length, hashMin);
  return context.signer.verify(hash, fields) ? null : FAILURES.badHash;
}

import { fail, type Result } from '../result';
import type { SrsErrorCode, SrsFailure } from './types';

type Failed = Result<never, SrsFailure>;

function failure(code: SrsErrorCode, message: string): Failed {
  return Object.freeze(fail(Object.freeze({ code, message })));
}

/** Failures without a variable part are made once: reverse runs on every bounce, forgeries included. */
export const FAILURES = {
  notSrs: failure('not-srs', 'not an SRS address: the local part does not start with SRS0 or SRS1 followed by =, + or -'),
  noDomain: failure('malformed', 'SRS address has no @domain'),
  atInLocalPart: failure('malformed', 'SRS address has an @ in its local part'),
  srs0Fields: failure(
    'malformed',
    'SRS0 address does not have the form SRS0=hash=timestamp=domain=local with a non-empty domain and local part',
  ),
  srs1Fields: failure(
    'malformed',
    'SRS1 address does not have the form SRS1=hash=first-hop-domain=opaque with a non-empty first-hop domain and opaque part',
  ),
  timestamp: failure('malformed', 'SRS0 timestamp is not exactly two characters from A-Z and 2-7'),
  hashCharacters: failure('malformed', 'SRS hash contains characters that belong to neither base64 nor base64url'),
  hashlessSrs1: failure(
    'malformed',
    'SRS1 address without a hash (the format of Mail::SRS before 0.28) is refused: anyone could forge it',
  ),
  badHash: failure('bad-hash', 'SRS address has a bad hash (forged, or signed with a secret we no longer have)'),
  senderNoDomain: failure('malformed', 'sender is no address: it has no @domain'),
  senderAtInLocalPart: failure('malformed', 'sender has an @ in its local part'),
  senderEmptyLocalPart: failure('malformed', 'sender has an empty local part'),
  senderDomainWithEquals: failure('malformed', 'sender domain contains =, so its SRS0 address could not be split back'),
  senderSrs1Fields: failure(
    'malformed',
    'sender is an SRS1 address without the form SRS1=hash=first-hop-domain=opaque, so it cannot be forwarded as SRS1',
  ),
} as const;

export function hashTooShort(length: number, hashMin: number): Failed {
  return failure('bad-hash', `SRS hash has ${plural(length, 'character')}, fewer than the ${hashMin} required`);
}

/** Mail::SRS calls a stamp from tomorrow 1023 days old; the code stays 'expired', the message says what likely happened. */
export function expired(ageDays: number, maxAgeDays: number, slots: number): Failed {
  const daysAhead = slots - ageDays;
  if (daysAhead <= maxAgeDays) {
    return failure('expired', `SRS address is dated ${plural(daysAhead, 'day')} in the future (a wrong clock, or forged)`);
  }
  const limit = plural(maxAgeDays, 'day');
  return failure('expired', `SRS address expired: it is ${plural(ageDays, 'day')} old, at most ${limit} are accepted`);
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

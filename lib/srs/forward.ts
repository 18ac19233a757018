import { ok } from '../result';
import { equalsIgnoringAsciiCase, splitAddress, srsTagOf } from './address';
import type { SrsContext } from './context';
import { FAILURES } from './failures';
import { parseSrs1Fields } from './fields';
import { dayOf, formatTimestamp } from './timestamp';
import type { SrsResult } from './types';

/**
 * Mail::SRS::Guarded forward:
 * - a sender in the alias domain is returned unchanged (our own SRS addresses included);
 * - `SRS0<s>REST@hop` becomes `SRS1<sep>HASH=hop=<s>REST@alias` (the inner separator is kept);
 * - `SRS1<s>X=hop=REST@other` becomes `SRS1<sep>HASH=hop=REST@alias` (the first hop is kept);
 * - anything else becomes `SRS0<sep>HASH=TT=domain=local@alias`.
 * Case is kept; only the hash input is lower-cased.
 *
 * Nothing here limits the length: a sender local part over about 51 octets gives an SRS local
 * part over the 64 octets of RFC 5321 §4.5.3.1.1. Mail::SRS and postsrsd emit it all the same,
 * and so does this; the next MTA may refuse such a MAIL FROM (most accept it). Quoted local
 * parts are copied verbatim, quotes included, as Mail::SRS does. Unlike Mail::SRS, a sender
 * domain containing `=` is refused (malformed): its SRS0 address could never be reversed.
 *
 * `aliasDomain` may be an address, then its domain is used (as the `srs --alias` option does).
 * An empty one is a bug of the caller and throws a RangeError.
 */
export function forwardAddress(context: SrsContext, sender: string, aliasDomain: string): SrsResult {
  const alias = aliasDomainOf(aliasDomain);
  const parts = splitAddress(sender);
  if (parts === null) return FAILURES.senderNoDomain;
  const { local, domain } = parts;
  if (local.includes('@')) return FAILURES.senderAtInLocalPart;
  if (equalsIgnoringAsciiCase(domain, alias)) return ok(sender);
  if (local.length === 0) return FAILURES.senderEmptyLocalPart;
  // Mail::SRS emits such an address, but reversing splits at the first = and the hash fails.
  if (domain.includes('=')) return FAILURES.senderDomainWithEquals;

  const { options, signer } = context;
  switch (srsTagOf(local)) {
    case 'SRS1':
      return forwardSrs1(context, local, alias);
    case 'SRS0': {
      const opaque = local.slice(4);
      const hash = signer.sign(domain + opaque);
      return ok(`SRS1${options.separator}${hash}=${domain}=${opaque}@${alias}`);
    }
    case null: {
      const timestamp = formatTimestamp(dayOf(options.now()));
      const hash = signer.sign(timestamp + domain + local);
      return ok(`SRS0${options.separator}${hash}=${timestamp}=${domain}=${local}@${alias}`);
    }
  }
}

/** The incoming hash is someone else's and not checked; the first hop and the opaque part are kept. */
function forwardSrs1(context: SrsContext, local: string, alias: string): SrsResult {
  const fields = parseSrs1Fields(local);
  if (fields === null) return FAILURES.senderSrs1Fields;
  const { hop, opaque } = fields;
  const hash = context.signer.sign(hop + opaque);
  return ok(`SRS1${context.options.separator}${hash}=${hop}=${opaque}@${alias}`);
}

function aliasDomainOf(aliasDomain: string): string {
  const alias = aliasDomain.slice(aliasDomain.lastIndexOf('@') + 1);
  if (alias.length === 0) throw new RangeError('SRS alias domain must not be empty');
  return alias;
}

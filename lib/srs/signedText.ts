import { lowerAscii, splitAddress, srsTagOf } from './address';
import { parseSrs0Fields, parseSrs1Fields } from './fields';

/**
 * What the hash of an SRS address vouches for: the fields it signs, lower-cased as the HMAC
 * reads them (SRS0: timestamp, domain and local part; SRS1: first hop and opaque part). Every
 * spelling that verifies with the same hash gives the same text: any case, any separator after
 * the tag, a hash cut to hash-minimum or in the other alphabet, SRS0 or SRS1 form of the same
 * fields. Null when the address is no parsable SRS address.
 */
export function signedTextOf(address: string): string | null {
  const tag = srsTagOf(address);
  const parts = splitAddress(address);
  if (tag === null || parts === null) return null;
  if (tag === 'SRS0') {
    const fields = parseSrs0Fields(parts.local);
    return fields === null ? null : lowerAscii(fields.stamp + fields.domain + fields.user);
  }
  const fields = parseSrs1Fields(parts.local);
  return fields === null ? null : lowerAscii(fields.hop + fields.opaque);
}

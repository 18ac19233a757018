import { createHash } from 'node:crypto';
import { base32hex } from 'rfc4648';
import { splitAddress } from './address';

/**
 * postsrsd 2's database mode, whose form this follows so that both can share one store: a
 * sender is replaced by `KEY@1`, KEY being the base32hex (RFC 4648 §7, upper case) of the SHA-1
 * of the sender's bytes as given (no case folding), and that pseudo-address is SRS-forwarded
 * like any sender: `SRS0=HHHH=TT=1=KEY@srs-domain`. The store maps `KEY@1` to the sender.
 * `1` is no domain anyone can send from, so a reversal that yields it needs the store.
 */
export const STORED_SENDER_DOMAIN = '1';

/** RFC 5321 §4.5.3.1.1: the longest local part every receiver must accept. */
export const LOCAL_PART_MAX_OCTETS = 64;

/** The store key of a sender: `KEY@1` (32 base32hex characters, as SHA-1 has 20 bytes). */
export function storedSenderKeyOf(sender: string): string {
  const digest = createHash('sha1').update(sender, 'utf8').digest();
  return `${base32hex.stringify(digest)}@${STORED_SENDER_DOMAIN}`;
}

/**
 * The store key a reversed address stands for, or null when it is an ordinary address.
 * Receivers may lower-case the SRS address; the key is upper-cased whole (ASCII only), as
 * postsrsd does before its lookup.
 */
export function storedSenderKeyIn(reversed: string): string | null {
  if (splitAddress(reversed)?.domain !== STORED_SENDER_DOMAIN) return null;
  return reversed.replace(/[a-z]+/g, (run) => run.toUpperCase());
}

/** Octets of an address's local part (UTF-8): what RFC 5321 limits. */
export function localPartOctets(address: string): number {
  const parts = splitAddress(address);
  return Buffer.byteLength(parts === null ? address : parts.local, 'utf8');
}

import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { lowerAscii } from './address';
import type { AddressEncoding, HashAlphabet } from './types';

/** base64 of a 20-byte HMAC-SHA1 without its padding: no hash can be longer. */
export const HASH_LENGTH_MAX = 27;

const NOT_A_HASH_CHAR = 0;

/**
 * Char code → the byte a hash character is compared as: both alphabets (`-`/`_` of base64url
 * mean `+`/`/`) and case folded, since hashes are compared case-insensitively.
 * NOT_A_HASH_CHAR marks characters no hash contains.
 */
const COMPARED_AS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  const standard = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (const char of standard) table[char.charCodeAt(0)] = char.toLowerCase().charCodeAt(0);
  table['-'.charCodeAt(0)] = '+'.charCodeAt(0);
  table['_'.charCodeAt(0)] = '/'.charCodeAt(0);
  return table;
})();

/** True when every character belongs to base64 or base64url (the empty text included). */
export function isHashText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if ((COMPARED_AS[text.charCodeAt(i)] ?? NOT_A_HASH_CHAR) === NOT_A_HASH_CHAR) return false;
  }
  return true;
}

export interface Signer {
  /** The hash to emit for the SRS fields, concatenated in order (lower-cased here, as SRS defines). */
  sign(fields: string): string;
  /**
   * Whether `hash` is a prefix of the digest of any secret, case-insensitively and in either
   * alphabet: as many characters are compared as `hash` has (Mail::SRS does so), so a longer
   * correct hash passes and a longer one with wrong extra characters does not.
   * The caller enforces the minimum length and checks the characters with isHashText.
   */
  verify(hash: string, fields: string): boolean;
}

/**
 * Keys become KeyObjects once (measurably faster HMACs than raw Buffers), and the compared bytes
 * go into two scratch buffers with a view per length, so verifying allocates only the digests.
 * Safe to share because nothing here awaits.
 */
export function createSigner(
  secrets: readonly Buffer[],
  hashLength: number,
  alphabet: HashAlphabet,
  addressEncoding: AddressEncoding,
): Signer {
  const keys: readonly KeyObject[] = secrets.map((secret) => createSecretKey(secret));
  const signingKey = keys[0];
  if (signingKey === undefined) throw new RangeError('SRS needs at least one secret');
  const supplied = Buffer.alloc(HASH_LENGTH_MAX);
  const computed = Buffer.alloc(HASH_LENGTH_MAX);
  const suppliedViews = viewsByLength(supplied);
  const computedViews = viewsByLength(computed);

  const digest = (key: KeyObject, fields: string, encoding: HashAlphabet): string =>
    createHmac('sha1', key).update(lowerAscii(fields), addressEncoding).digest(encoding);

  return {
    sign: (fields) => digest(signingKey, fields, alphabet).slice(0, hashLength),
    verify(hash, fields) {
      const length = hash.length;
      const suppliedView = suppliedViews[length];
      const computedView = computedViews[length];
      if (suppliedView === undefined || computedView === undefined) return false;
      writeCompared(hash, supplied);
      for (const key of keys) {
        writeCompared(digest(key, fields, 'base64'), computed, length);
        if (timingSafeEqual(suppliedView, computedView)) return true;
      }
      return false;
    },
  };
}

/** views[n] covers the first n bytes; none for 0 (an empty hash never verifies). */
function viewsByLength(scratch: Buffer): readonly (Buffer | undefined)[] {
  return Array.from({ length: scratch.length + 1 }, (_, n) => (n === 0 ? undefined : scratch.subarray(0, n)));
}

function writeCompared(hashText: string, into: Buffer, length = hashText.length): void {
  for (let i = 0; i < length; i++) into[i] = COMPARED_AS[hashText.charCodeAt(i)] ?? NOT_A_HASH_CHAR;
}

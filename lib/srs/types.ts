import type { Failure, Result } from '../result';

/** The character written right after the SRS0/SRS1 tag. All three are accepted on input. */
export type Separator = '=' | '+' | '-';

/** Mail::SRS and libsrs2 emit base64; postsrsd >= 2.2.6 emits base64url. Both are always accepted. */
export type HashAlphabet = 'base64' | 'base64url';

/**
 * How address strings stand for the bytes hashed. 'utf8': text, hashed as its UTF-8 bytes.
 * 'latin1': one character per byte (Buffer's 'latin1'), for bytes that need not be UTF-8, as
 * Mail::SRS hashes whatever bytes it is given.
 */
export type AddressEncoding = 'utf8' | 'latin1';

export interface SrsOptions {
  /** Non-empty. The first signs; every one verifies (key rotation). Bytes exactly as keyed. */
  readonly secrets: readonly Buffer[];
  /** Characters of hash emitted. Default 4. */
  readonly hashLength: number;
  /** Fewest hash characters accepted on reverse. Default: hashLength. */
  readonly hashMin: number;
  /** Oldest timestamp accepted, in whole days. Default 21. */
  readonly maxAgeDays: number;
  /** Emitted after the tag. Default '='. */
  readonly separator: Separator;
  /** Alphabet of emitted hashes. Default 'base64'. */
  readonly hashAlphabet: HashAlphabet;
  /** Default 'utf8'. */
  readonly addressEncoding: AddressEncoding;
  /** Injected clock: milliseconds since the epoch. Default Date.now. */
  readonly now: () => number;
}

/** Stable codes: they appear in logs, CLI output and Courier replies. */
export type SrsErrorCode =
  | 'not-srs' // the address is no SRS0/SRS1 address
  | 'malformed' // SRS tag present, but the fields do not parse (or a forward input is no address)
  | 'bad-hash' // no configured secret signs it, or the hash is shorter than hashMin
  | 'expired'; // timestamp outside 0..maxAgeDays (a stamp "in the future" is this too, as in Mail::SRS)

/** Its message is one sentence a human understands; it never contains a secret. */
export type SrsFailure = Failure<SrsErrorCode>;

/** The address forward or reverse gives. */
export type SrsResult = Result<string, SrsFailure>;

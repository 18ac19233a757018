import { HASH_LENGTH_MAX } from './hash';
import { TIMESTAMP_SLOTS } from './timestamp';
import type { SrsOptions } from './types';

/** What createSrs takes: secrets are required, every other option has the Mail::SRS default. */
export type SrsInit = Partial<Omit<SrsOptions, 'secrets'>> & { readonly secrets: readonly Buffer[] };

/** A stamp is at most 1023 days old (two base32 characters), so a larger maximum would accept every stamp. */
export const MAX_AGE_DAYS_MAX = TIMESTAMP_SLOTS - 1;

const SEPARATORS: ReadonlySet<string> = new Set(['=', '+', '-']);
const HASH_ALPHABETS: ReadonlySet<string> = new Set(['base64', 'base64url']);
const ADDRESS_ENCODINGS: ReadonlySet<string> = new Set(['utf8', 'latin1']);

/**
 * Fills the defaults and checks the result. lib/config validates what users write, so an
 * invalid value here is a bug and throws a RangeError.
 */
export function resolveSrsOptions(init: SrsInit): SrsOptions {
  const hashLength = init.hashLength ?? 4;
  const options: SrsOptions = {
    secrets: Object.freeze([...init.secrets]),
    hashLength,
    hashMin: init.hashMin ?? hashLength,
    maxAgeDays: init.maxAgeDays ?? 21,
    separator: init.separator ?? '=',
    hashAlphabet: init.hashAlphabet ?? 'base64',
    addressEncoding: init.addressEncoding ?? 'utf8',
    now: init.now ?? Date.now,
  };
  assertValid(options);
  return Object.freeze(options);
}

function assertValid(options: SrsOptions): void {
  if (options.secrets.length === 0) throw new RangeError('SRS needs at least one secret');
  if (!options.secrets.every((secret) => Buffer.isBuffer(secret) && secret.length > 0)) {
    throw new RangeError('every SRS secret must be a non-empty Buffer');
  }
  assertIntegerIn('hashLength', options.hashLength, 1, HASH_LENGTH_MAX);
  assertIntegerIn('hashMin', options.hashMin, 1, options.hashLength);
  assertIntegerIn('maxAgeDays', options.maxAgeDays, 0, MAX_AGE_DAYS_MAX);
  if (!SEPARATORS.has(options.separator)) throw new RangeError(`SRS separator must be =, + or -, not ${options.separator}`);
  if (!HASH_ALPHABETS.has(options.hashAlphabet)) {
    throw new RangeError(`SRS hash alphabet must be base64 or base64url, not ${options.hashAlphabet}`);
  }
  if (!ADDRESS_ENCODINGS.has(options.addressEncoding)) {
    throw new RangeError(`SRS address encoding must be utf8 or latin1, not ${options.addressEncoding}`);
  }
  if (typeof options.now !== 'function') throw new RangeError('SRS clock (now) must be a function');
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`SRS ${name} must be an integer in ${min}..${max}, not ${value}`);
  }
}

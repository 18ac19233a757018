import { createSigner } from './hash';
import { forwardAddress } from './forward';
import { resolveSrsOptions, type SrsInit } from './options';
import { reverseAddress } from './reverse';
import type { SrsOptions, SrsResult } from './types';

export * from './types';
export { isSrsLocalPart, splitAddress, type AddressParts } from './address';
export { HASH_LENGTH_MAX } from './hash';
export { MAX_AGE_DAYS_MAX, type SrsInit } from './options';
export { signedTextOf } from './signedText';
export {
  LOCAL_PART_MAX_OCTETS,
  localPartOctets,
  storedSenderKeyIn,
  storedSenderKeyOf,
} from './storedSender';

/** SRS (the Guarded scheme of Mail::SRS) with one set of options; pure apart from the injected clock. */
export interface Srs {
  readonly options: SrsOptions;
  /**
   * Rewrites an envelope sender for forwarding through `aliasDomain` (rules in forwardAddress).
   * The result's local part may exceed the 64 octets of RFC 5321 (senders over about 51 octets):
   * nothing here refuses it, as neither Mail::SRS nor postsrsd does; the receiving MTA may
   * reject that MAIL FROM.
   */
  forward(sender: string, aliasDomain: string): SrsResult;
  /** Recovers the address an SRS0/SRS1 address stands for, after checking its hash and age. */
  reverse(address: string): SrsResult;
}

/**
 * Defaults as Mail::SRS: hashLength 4, hashMin = hashLength, maxAgeDays 21, separator '=',
 * base64 hashes, Date.now. Throws a RangeError on invalid options (lib/config has validated
 * them before, so that is a bug).
 *
 * Addresses are JavaScript strings; the HMAC reads them as the bytes `addressEncoding` says,
 * which matches Mail::SRS on the same bytes (it lower-cases A-Z only, and so does this).
 */
export function createSrs(init: SrsInit): Srs {
  const options = resolveSrsOptions(init);
  const signer = createSigner(options.secrets, options.hashLength, options.hashAlphabet, options.addressEncoding);
  const context = { options, signer };
  return {
    options,
    forward: (sender, aliasDomain) => forwardAddress(context, sender, aliasDomain),
    reverse: (address) => reverseAddress(context, address),
  };
}

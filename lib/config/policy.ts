import type { HashAlphabet, Separator } from '../srs/types';
import type { AddressPattern } from './addressPattern';
import type { StoreLocation } from './envelopeDatabase';

export type MixedRecipients = 'rewrite' | 'pass';
export type OnError = 'tempfail' | 'accept';
/**
 * Where the original sender goes (postsrsd's name): into the SRS address (embedded), into the
 * store for every sender (database), or into the store only when the SRS address would have a
 * local part over 64 octets (auto).
 */
export type OriginalEnvelope = 'embedded' | 'auto' | 'database';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** Where valid mail to our SRS addresses goes: back to the original sender, or to one local mailbox. */
export type SrsBounces = { readonly mode: 'reverse' } | { readonly mode: 'deliver'; readonly address: string };

/** Overrides of what `courier-config` reports; absent fields come from courier-config. */
export interface CourierOverrides {
  readonly sysconfdir?: string;
  readonly localstatedir?: string;
  readonly libexecdir?: string;
  readonly mailuser?: string;
  readonly mailgroup?: string;
}

/**
 * The validated policy with every default filled in. Domains are lower-case.
 * Field names are the YAML keys in camelCase (`hash-minimum` → hashMinimum).
 */
export interface Policy {
  /** Domain of the SRS addresses we emit; a local domain of Courier. */
  readonly srsDomain: string;
  /** Absolute path; one secret per line, the first signs, all verify. */
  readonly secretsFile: string;
  /** Local domains whose aliases forward outside; empty = every local domain. */
  readonly forwardedDomains: readonly string[];
  /** Added to Courier's locals/hosteddomains, in the locals syntax (`.domain` its subdomains, `!domain` not local). */
  readonly localDomains: readonly string[];
  readonly hashLength: number;
  readonly hashMinimum: number;
  readonly maxAgeDays: number;
  readonly separator: Separator;
  readonly hashAlphabet: HashAlphabet;
  /** Senders never rewritten. */
  readonly excludeSenders: readonly AddressPattern[];
  /** Final targets (the `r` address) whose forwarded mail is not rewritten. */
  readonly excludeRecipients: readonly AddressPattern[];
  /** Also rewrite mail a relay client or a local user addresses to external recipients directly. */
  readonly rewriteRelayed: boolean;
  /** Reverse SRS recipients only for bounces (null, MAILER-DAEMON@ or postmaster@ sender). */
  readonly reverseOnlyBounces: boolean;
  /** A message with local and forwarded recipients: rewrite its one sender, or leave it. */
  readonly mixedRecipients: MixedRecipients;
  /** Reversals per SRS address within its lifetime; over it the message is refused (550 5.7.1). */
  readonly maxBouncesPerAddress: number;
  readonly srsBounces: SrsBounces;
  readonly originalEnvelope: OriginalEnvelope;
  /** The store of senders and bounce counts; null: the embedded store under Courier's localstatedir. */
  readonly envelopeDatabase: StoreLocation | null;
  /** `<prefix>SRS0…@srs-domain` recipients are reversed like `SRS0…`; null disables. */
  readonly bouncePrefix: string | null;
  /** Answer to an internal error on one message: 4xx (the sender retries) or accept unchanged. */
  readonly onError: OnError;
  readonly logLevel: LogLevel;
  readonly courier: CourierOverrides;
}

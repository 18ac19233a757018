import type { AcceptMailFor, LocalDomains } from '../courier/host';
import type { RecipientChange } from '../courier/queue';
import type { Policy } from '../config/policy';
import type { Srs, SrsErrorCode } from '../srs';
import type { StoreErrorCode } from '../store/types';
import type { StoreWrite } from './storedSenders';

/**
 * A reversed SRS recipient: lib/courier's change (`to` is the new `r` address: the original
 * sender, or the srs-bounces mailbox), plus what logs, explain and the bounce cap need.
 */
export interface ReversedRecipient extends RecipientChange {
  /** The recipient as Courier has it (bounce prefix included). */
  readonly from: string;
  /** The address the SRS address stands for. */
  readonly original: string;
  /** The key max-bounces-per-address counts under: one per hash, however the address is spelt. */
  readonly capKey: string;
  /**
   * Set when the SRS address carries a store key (`KEY@1`) instead of the sender: `original`
   * and `to` are that key until the filter has looked it up.
   */
  readonly storeKey?: string;
}

/** The answer to a refused message: Courier shows `code text` to the sending MTA. */
export interface RejectReply {
  /** 451 only when the store cannot answer: the bounce is retried. */
  readonly code: 550 | 451;
  /** Enhanced status code and sentence, e.g. `5.1.1 <SRS0=…@example.org>: …`; one line. */
  readonly text: string;
}

/**
 * Why an SRS recipient of ours is refused: the SRS failure, 'not-bounce' (reverse-only-bounces),
 * 'too-many-bounces' (max-bounces-per-address), 'unknown-alias' (its store key is not stored,
 * or expired), 'no-store' (it carries a store key, but this policy has no store), or the
 * store's failure (then the answer is 451).
 */
export type RejectCode = SrsErrorCode | 'not-bounce' | 'too-many-bounces' | 'unknown-alias' | 'no-store' | StoreErrorCode;

/**
 * Rule names are stable (logged, grepped, tested): each is spelt once, here, so that a
 * misspelt one does not compile.
 */
export type RewriteRule = 'forwarded-alias' | 'rewrite-relayed';
/** A bounce (or, with reverse-only-bounces off, other mail) to an SRS address of ours, sent back or kept. */
export type ReverseRule = 'srs-bounce' | 'srs-reverse' | 'srs-bounce-kept' | 'srs-mail-kept';
export type PassRule =
  | 'null-sender'
  | 'local-sender'
  | 'already-srs'
  | 'excluded-sender'
  | 'only-local-recipients'
  | 'mixed-recipients'
  | 'sender-not-encodable'
  | 'local-submission'
  | 'relayed-by-local-user'
  | 'not-forwarded'
  | 'backup-mx-relay'
  | 'not-forwarded-domain'
  | 'excluded-recipients';
export type RejectRule = 'srs-not-bounce' | 'srs-invalid' | 'srs-no-store' | 'srs-unknown-alias' | 'srs-store-failed' | 'srs-bounce-cap';

/** The policy's on-error answer, given to a message that could not be decided before any write began. */
export type OnErrorRule = 'on-error-accept' | 'on-error-tempfail';
/**
 * A message answered without a decision: on-error; `refused` (controlFileIo refused the files,
 * answered 451); `write-failed` (a control-file write failed after it began) and
 * `write-unfinished` (the filter answered while a write was still under way), both answered 451.
 */
export type FailureRule = OnErrorRule | 'refused' | 'write-failed' | 'write-unfinished';

/** Every rule a message's log line can name. */
export type Rule = Decision['rule'] | FailureRule;

/**
 * What to do with one message. `rule` names the policy rule that decided (see above);
 * `reason` is a short sentence for humans.
 */
export type Decision =
  | {
      readonly kind: 'rewrite';
      readonly rule: RewriteRule;
      readonly reason: string;
      readonly from: string;
      readonly to: string;
      /** The external recipients the rewrite is for. */
      readonly forwardedTo: readonly string[];
      /** Set when `to` carries a store key: the sender must be stored first, or `fallback` used. */
      readonly store?: StoreWrite;
    }
  | {
      readonly kind: 'reverse';
      readonly rule: ReverseRule;
      readonly reason: string;
      readonly recipients: readonly ReversedRecipient[];
      /** The sender it leaves with: always the null sender, as a bounce has no one to bounce to. */
      readonly sender: '';
      /** Sent back to the original senders (counted by the bounce cap), or kept in the srs-bounces mailbox. */
      readonly sentBack: boolean;
    }
  | { readonly kind: 'pass'; readonly rule: PassRule; readonly reason: string }
  | {
      readonly kind: 'reject';
      readonly rule: RejectRule;
      readonly reason: string;
      /** The refused recipient as Courier has it (bounce prefix included). */
      readonly recipient: string;
      readonly srsError: RejectCode;
      readonly reply: RejectReply;
    };

/** Everything decide reads besides the envelope; only the methods it calls, so tests can fake them. */
export interface DecideContext {
  readonly policy: Policy;
  readonly localDomains: Pick<LocalDomains, 'isLocal'>;
  /** Courier's esmtpacceptmailfor: the external ones among them are relayed as a backup MX. */
  readonly acceptMailFor: Pick<AcceptMailFor, 'accepts'>;
  readonly srs: Pick<Srs, 'forward' | 'reverse'>;
}

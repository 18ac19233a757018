import type { LocalDomains } from '../courier/types';
import type { Policy } from '../config/policy';
import type { Srs, SrsErrorCode } from '../srs';

/** A recipient address to replace: `r` record `index` of control file `file`. */
export interface RecipientChange {
  readonly file: number;
  readonly index: number;
  readonly from: string;
  readonly to: string;
}

/** Why an SRS recipient of ours is refused: the SRS failure, or 'not-bounce' (reverse-only-bounces). */
export type RejectCode = SrsErrorCode | 'not-bounce';

/**
 * What to do with one message. `rule` is a stable kebab-case name (logged, grepped, tested);
 * `reason` a short sentence for humans.
 */
export type Decision =
  | {
      readonly kind: 'rewrite';
      readonly rule: string;
      readonly reason: string;
      readonly from: string;
      readonly to: string;
      /** The external recipients the rewrite is for. */
      readonly forwardedTo: readonly string[];
    }
  | { readonly kind: 'reverse'; readonly rule: string; readonly reason: string; readonly recipients: readonly RecipientChange[] }
  | { readonly kind: 'pass'; readonly rule: string; readonly reason: string }
  | {
      readonly kind: 'reject';
      readonly rule: string;
      readonly reason: string;
      /** The refused recipient as Courier has it (bounce prefix included). */
      readonly recipient: string;
      readonly srsError: RejectCode;
      /** A complete Courier reply line, e.g. `550 5.1.1 <SRS0=…@example.org>: …`. */
      readonly reply: string;
    };

/** Everything decide reads besides the envelope; only the methods it calls, so tests can fake them. */
export interface DecideContext {
  readonly policy: Policy;
  readonly localDomains: Pick<LocalDomains, 'isLocal'>;
  readonly srs: Pick<Srs, 'forward' | 'reverse'>;
}

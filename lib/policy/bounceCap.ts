import { createHash } from 'node:crypto';
import type { Policy } from '../config/policy';
import { signedTextOf } from '../srs';
import { StoreError, type BounceCounter, type ImmediateBounceCounter, type TakeResult } from '../store/types';
import { storeUnavailable } from './completeWithStore';
import type { Decision } from './decision';

/** A decision after the cap, and the counts it took: the caller gives them back if the message is not accepted. */
export interface CappedDecision {
  readonly decision: Decision;
  readonly counted: readonly string[];
}

const DAY_MS = 86_400_000;

/**
 * How long a count is kept. An SRS0 address verifies for max-age-days whole days after the day
 * of its timestamp, so up to max-age-days + 1 days after it was made; a window that long from
 * the first reversal outlives the address. SRS1 carries no timestamp: its count starts again
 * after the window.
 */
function bounceWindowMs(policy: Pick<Policy, 'maxAgeDays'>): number {
  return (policy.maxAgeDays + 1) * DAY_MS;
}

/**
 * The counter key of a verified SRS address: a digest of the fields its hash signs, so that
 * every spelling an attacker can make of one address (case, separator, shorter hash, bounce
 * prefix, SRS0 or SRS1 form) counts as one, and every key has the same small size.
 */
export function bounceKeyOf(srsAddress: string): string {
  const signed = signedTextOf(srsAddress);
  if (signed === null) throw new Error('the bounce cap counts verified SRS addresses only');
  return createHash('sha256').update(signed).digest('base64url').slice(0, 22);
}

/**
 * max-bounces-per-address on a decision: a reversal sent back to original senders is counted
 * before its control files are written (concurrent messages see each other's counts, and a
 * shared store keeps a count whatever becomes of this process); over the cap the message is
 * refused and nothing is counted. Kept bounces (srs-bounces) relay nothing and are not counted.
 */
export async function applyBounceCap(decision: Decision, policy: Policy, counter: BounceCounter): Promise<CappedDecision> {
  if (!countsBounces(decision)) return { decision, counted: [] };
  const keys = decision.recipients.map((recipient) => recipient.capKey);
  let taken: TakeResult;
  try {
    taken = await counter.take(keys, policy.maxBouncesPerAddress, bounceWindowMs(policy));
  } catch (error) {
    // A shared count that cannot be taken: refuse for now rather than reverse uncounted.
    if (error instanceof StoreError) return { decision: storeUnavailable(decision.recipients[0]?.from ?? '', error, 'the bounce count'), counted: [] };
    throw error;
  }
  return cappedBy(taken, decision, keys, policy);
}

/** applyBounceCap with a counter that counts at once: the same decision, without a promise. */
export function applyBounceCapNow(decision: Decision, policy: Policy, counter: ImmediateBounceCounter): CappedDecision {
  if (!countsBounces(decision)) return { decision, counted: [] };
  const keys = decision.recipients.map((recipient) => recipient.capKey);
  return cappedBy(counter.takeNow(keys, policy.maxBouncesPerAddress, bounceWindowMs(policy)), decision, keys, policy);
}

/** Whether the cap counts this decision: a reversal sent back to original senders. */
export function countsBounces(decision: Decision): decision is Extract<Decision, { kind: 'reverse' }> {
  return decision.kind === 'reverse' && decision.sentBack;
}

function cappedBy(taken: TakeResult, decision: Extract<Decision, { kind: 'reverse' }>, keys: readonly string[], policy: Policy): CappedDecision {
  if (taken.ok) return { decision, counted: keys };
  const recipient = decision.recipients.find((reversed) => reversed.capKey === taken.error.key)?.from ?? '';
  const cap = `max-bounces-per-address is ${policy.maxBouncesPerAddress}`;
  return {
    decision: {
      kind: 'reject',
      rule: 'srs-bounce-cap',
      reason: `this SRS address has had its reversals (${cap} within max-age-days)`,
      recipient,
      srsError: 'too-many-bounces',
      reply: { code: 550, text: `5.7.1 <${recipient}>: too many bounces to this SRS address (${cap})` },
    },
    counted: [],
  };
}

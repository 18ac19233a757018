import { fail, ok, type Result } from '../result';
import { StoreError, type SenderStore } from '../store/types';
import type { Decision, ReversedRecipient } from './decision';
import type { StoreWrite } from './storedSenders';

/** A decision after its store step, and the store failure it met (logged as a warning, counted). */
export interface StoreOutcome {
  readonly decision: Decision;
  readonly storeError?: StoreError;
}

/** The recipient with its stored sender, or the outcome for the whole message when there is none. */
type Lookup = Result<ReversedRecipient, StoreOutcome>;

/**
 * Does what a decision asks of the store, before anything is written or answered:
 * - a rewrite whose address carries a store key stores the sender; if the store fails (or
 *   there is none), the stateless address is used instead: mail flows, the failure is reported;
 * - a reversal looks up every store key: unknown → 550 5.1.1 unknown alias; the store failing →
 *   451 4.3.0, so that the bounce is retried once the store is back.
 * `store` is expected to bound its time (boundStore). Null: the store could not be opened.
 */
export async function completeWithStore(decision: Decision, store: Pick<SenderStore, 'put' | 'get'> | null): Promise<StoreOutcome> {
  if (!asksTheStore(decision)) return { decision };
  if (decision.kind === 'rewrite' && decision.store !== undefined) {
    const { store: write, ...rest } = decision;
    const storeError = await storeSender(write, store);
    if (storeError === null) return { decision };
    const reason = `${decision.reason}; the sender store failed (${storeError.code}), so the sender is embedded instead`;
    return { decision: { ...rest, to: write.fallback, reason }, storeError };
  }
  if (decision.kind !== 'reverse') return { decision };

  const lookups = await Promise.all(decision.recipients.map((recipient) => lookUp(recipient, store, decision.sentBack)));
  const recipients: ReversedRecipient[] = [];
  for (const lookup of lookups) {
    if (!lookup.ok) return lookup.error;
    recipients.push(lookup.value);
  }
  return { decision: { ...decision, recipients } };
}

/** Whether completeWithStore has anything to do for the decision; if not, it is the decision as it is. */
export function asksTheStore(decision: Decision): boolean {
  if (decision.kind === 'rewrite') return decision.store !== undefined;
  return decision.kind === 'reverse' && decision.recipients.some((recipient) => recipient.storeKey !== undefined);
}

async function lookUp(recipient: ReversedRecipient, store: Pick<SenderStore, 'get'> | null, sentBack: boolean): Promise<Lookup> {
  const key = recipient.storeKey;
  if (key === undefined) return ok(recipient);
  const found = await lookUpSender(key, store);
  if (!found.ok) return fail({ decision: storeUnavailable(recipient.from, found.error, 'the stored sender'), storeError: found.error });
  const sender = found.value;
  if (sender === null) {
    const decision: Decision = {
      kind: 'reject',
      rule: 'srs-unknown-alias',
      reason: `no stored sender under ${key} (never stored here, or expired)`,
      recipient: recipient.from,
      srsError: 'unknown-alias',
      reply: { code: 550, text: `5.1.1 <${recipient.from}>: unknown alias` },
    };
    return fail({ decision });
  }
  return ok({ ...recipient, original: sender, to: sentBack ? sender : recipient.to });
}

/** Stores the sender a rewrite asks to; the failure met when it could not (null store: none could be opened). */
export async function storeSender(write: StoreWrite, store: Pick<SenderStore, 'put'> | null): Promise<StoreError | null> {
  try {
    if (store === null) throw new StoreError('store-unavailable', 'the sender store could not be opened');
    await store.put(write.key, write.sender, write.ttlSeconds);
    return null;
  } catch (error) {
    return asStoreError(error);
  }
}

/** The sender stored under `key`, null when none is (never stored, or expired); the failure when the store cannot tell. */
export async function lookUpSender(
  key: string,
  store: Pick<SenderStore, 'get'> | null,
): Promise<Result<string | null, StoreError>> {
  try {
    if (store === null) throw new StoreError('store-unavailable', 'the sender store could not be opened');
    return ok(await store.get(key));
  } catch (error) {
    return fail(asStoreError(error));
  }
}

/** 451: what the store holds is needed to answer, so the sending MTA retries later. */
export function storeUnavailable(recipient: string, error: StoreError, what: string): Decision {
  return {
    kind: 'reject',
    rule: 'srs-store-failed',
    reason: `${what} cannot be read from the store (${error.code}): ${error.message}`,
    recipient,
    srsError: error.code,
    reply: { code: 451, text: `4.3.0 <${recipient}>: ${what} of this SRS address is not available, try again later` },
  };
}

function asStoreError(error: unknown): StoreError {
  return error instanceof StoreError ? error : new StoreError('store-failed', error instanceof Error ? error.message : String(error));
}

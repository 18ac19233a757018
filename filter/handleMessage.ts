import { performance } from 'node:perf_hooks';
import { applyRewrite, envelopeOf, isRefusal, readControlFiles, type Envelope } from '../lib/courier/queue';
import { applyBounceCap, changesOf, completeWithStore, decide } from '../lib/policy';
import type { BounceCounter, StoreError } from '../lib/store';
import type { DecisionCounter } from './decisionCounts';
import { formatDecisionLine } from './decisionLine';
import { describeError, type Logger } from './log';
import { decisionLineOf, replyFor, type Outcome } from './outcome';
import type { MessagePaths } from './request';
import type { Runtime } from './runtime';
import type { MessageHandler, WriteGate } from './writeGate';

/** The outcome, with what the handler gives back or warns about whatever it is answered. */
type HandledMessage = Exclude<Outcome, { kind: 'preempted' }> & {
  /** Bounce-cap counts taken for this message: given back unless it is answered with its decision. */
  readonly counted: readonly string[];
  /** The store failed on this message (it went on with its fallback): logged as a warning. */
  readonly storeError?: StoreError;
};

/**
 * read → decide → apply → reply, for one message, with the runtime snapshot current when it
 * starts. The control files are rewritten (and fsynced) before the reply: Courier reads them
 * as soon as it has the answer. Every message logs exactly one decision line, right after the
 * answer is written so that it never delays it, and the line says what the message was
 * answered: when the server answered without us (timeout, stop), that. `bounces` outlives
 * the runtime: a reload must not reset the bounce cap. With a store, the bounce cap counts
 * there instead, together with every other user of the store. `counts` (srsctl status) counts
 * the lines by code.
 */
export function createMessageHandler(
  current: () => Runtime,
  log: Logger,
  bounces: BounceCounter,
  counts?: DecisionCounter,
): MessageHandler {
  return async (paths, gate) => {
    const runtime = current();
    const started = performance.now();
    const result = await decideAndApply(paths, gate, runtime, bounces);
    const ms = performance.now() - started;
    const preemption = gate.preemption();
    const { storeError } = result;
    if (storeError !== undefined) gate.afterAnswer(() => log.warn(`sender store: ${storeError.code}: ${storeError.message}`));
    if ((preemption !== undefined || result.kind === 'failed') && result.counted.length > 0) {
      (runtime.store ?? bounces).giveBack(result.counted).catch((error: unknown) => log.warn(`bounce counts not given back: ${describeError(error)}`));
    }
    const outcome: Outcome = preemption === undefined ? result : { kind: 'preempted', envelope: result.envelope, preemption };
    const { onError } = runtime.policy;
    gate.afterAnswer(() => {
      const line = decisionLineOf(outcome, onError, ms);
      counts?.add(line.code);
      if (outcome.kind === 'decided') log.info(formatDecisionLine(line));
      else log.error(formatDecisionLine(line));
    });
    return replyFor(outcome, onError);
  };
}

async function decideAndApply(paths: MessagePaths, gate: WriteGate, runtime: Runtime, bounces: BounceCounter): Promise<HandledMessage> {
  let envelope: Envelope | undefined;
  let wrote = false;
  let counted: readonly string[] = [];
  let storeError: StoreError | undefined;
  const extra = (): Pick<HandledMessage, 'counted' | 'storeError'> => (storeError === undefined ? { counted } : { counted, storeError });
  const failed = (error: string, reason: string, refused = false): HandledMessage => ({
    kind: 'failed',
    envelope,
    error,
    reason,
    wrote,
    refused,
    ...extra(),
  });
  try {
    const read = await readControlFiles(paths.controlFiles, runtime.queue);
    // No queue id without a readable control file: the reason names the file instead.
    if (!read.ok) {
      const reason = read.error.message.includes(read.error.path) ? read.error.message : `${read.error.path}: ${read.error.message}`;
      return failed(read.error.code, reason, isRefusal(read.error.code));
    }
    envelope = envelopeOf(read.value.map((target) => target.file));

    const stored = await completeWithStore(decide(envelope, runtime), runtime.store);
    storeError = stored.storeError;
    const capped = await applyBounceCap(stored.decision, runtime.policy, runtime.store ?? bounces);
    const { decision } = capped;
    counted = capped.counted;
    if (decision.kind === 'rewrite' || decision.kind === 'reverse') {
      // Alone, the message waits for the disk on the event loop, which nobody else needs then;
      // with others waiting, on the thread pool, so that they go on meanwhile.
      const wait = gate.alone() ? 'blocking' : 'pooled';
      const applied = await gate.write(() => {
        wrote = true;
        return applyRewrite(read.value, changesOf(decision), wait, runtime.queue);
      });
      if (applied.ran && !applied.value.ok) return failed(applied.value.error.code, applied.value.error.message, isRefusal(applied.value.error.code));
    }
    return { kind: 'decided', envelope, decision, ...extra() };
  } catch (error) {
    // A bug, caught here because this is where the queue id is known.
    return failed('internal', error instanceof Error ? error.message : String(error));
  }
}

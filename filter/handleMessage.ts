import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import {
  applyRewrite,
  envelopeOf,
  isRefusal,
  readControlFiles,
  type ApplyRewriteResult,
  type ControlFileTarget,
  type DiskWait,
  type Envelope,
} from '../lib/courier/queue';
import {
  applyBounceCap,
  applyBounceCapNow,
  asksTheStore,
  changesOf,
  completeWithStore,
  countsBounces,
  decide,
  type CappedDecision,
  type Decision,
} from '../lib/policy';
import type { ImmediateBounceCounter, StoreError } from '../lib/store';
import type { DecisionCounter } from './decisionCounts';
import { formatDecisionLine } from './decisionLine';
import { describeError, type Logger } from './log';
import { decisionLineOf, replyFor, type Outcome } from './outcome';
import type { MessagePaths } from './request';
import type { Runtime } from './runtime';
import type { Reply } from './reply';
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
  bounces: ImmediateBounceCounter,
  counts?: DecisionCounter,
): MessageHandler {
  return (paths, gate) => {
    const runtime = current();
    const started = performance.now();
    const reply = (result: HandledMessage): Reply => {
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
    const result = decideAndApply(paths, gate, runtime, bounces);
    return types.isPromise(result) ? result.then(reply) : reply(result);
  };
}

/** What is known of one message so far: its outcome carries it, whatever the outcome is. */
class Progress {
  envelope: Envelope | undefined;
  /** A control-file write has begun. */
  wrote = false;
  counted: readonly string[] = [];
  storeError: StoreError | undefined;

  decided(decision: Decision): HandledMessage {
    const { envelope } = this;
    if (envelope === undefined) throw new Error('a decision without an envelope');
    return { kind: 'decided', envelope, decision, ...this.extra() };
  }

  failed(error: string, reason: string, refused = false): HandledMessage {
    return { kind: 'failed', envelope: this.envelope, error, reason, wrote: this.wrote, refused, ...this.extra() };
  }

  /** A bug, caught where the queue id is known. */
  internal(error: unknown): HandledMessage {
    return this.failed('internal', error instanceof Error ? error.message : String(error));
  }

  private extra(): Pick<HandledMessage, 'counted' | 'storeError'> {
    const { counted, storeError } = this;
    return storeError === undefined ? { counted } : { counted, storeError };
  }
}

/**
 * Returns the outcome as it is when nothing had to be waited for but the disk: the connection
 * is alone (a blocking write holds up nobody) and neither the decision nor its bounce count
 * needs the store. Otherwise a promise of it; the steps are the same.
 */
function decideAndApply(paths: MessagePaths, gate: WriteGate, runtime: Runtime, bounces: ImmediateBounceCounter): HandledMessage | Promise<HandledMessage> {
  const progress = new Progress();
  try {
    const read = readControlFiles(paths.controlFiles, runtime.queue);
    // No queue id without a readable control file: the reason names the file instead.
    if (!read.ok) {
      const reason = read.error.message.includes(read.error.path) ? read.error.message : `${read.error.path}: ${read.error.message}`;
      return progress.failed(read.error.code, reason, isRefusal(read.error.code));
    }
    const envelope = envelopeOf(read.value.map((target) => target.file));
    progress.envelope = envelope;
    const decision = decide(envelope, runtime);
    // Without a store the cap counts in `bounces`; with one, only a decision it does not count stays off the store.
    if (gate.alone() && !asksTheStore(decision) && (runtime.store === null || !countsBounces(decision))) {
      return apply(progress, read.value, applyBounceCapNow(decision, runtime.policy, bounces), gate, 'blocking', runtime);
    }
    return withStore(progress, read.value, decision, gate, runtime, bounces).catch((error: unknown) => progress.internal(error));
  } catch (error) {
    return progress.internal(error);
  }
}

async function withStore(
  progress: Progress,
  targets: readonly ControlFileTarget[],
  decision: Decision,
  gate: WriteGate,
  runtime: Runtime,
  bounces: ImmediateBounceCounter,
): Promise<HandledMessage> {
  const stored = await completeWithStore(decision, runtime.store);
  progress.storeError = stored.storeError;
  const capped = await applyBounceCap(stored.decision, runtime.policy, runtime.store ?? bounces);
  // Alone, the message waits for the disk on the event loop, which nobody else needs then;
  // with others waiting, on the thread pool, so that they go on meanwhile.
  return apply(progress, targets, capped, gate, gate.alone() ? 'blocking' : 'pooled', runtime);
}

/** Writes what the capped decision changes: done when it returns if `wait` is blocking. */
function apply(
  progress: Progress,
  targets: readonly ControlFileTarget[],
  { decision, counted }: CappedDecision,
  gate: WriteGate,
  wait: DiskWait,
  runtime: Runtime,
): HandledMessage | Promise<HandledMessage> {
  progress.counted = counted;
  if (decision.kind !== 'rewrite' && decision.kind !== 'reverse') return progress.decided(decision);
  const changes = changesOf(decision);
  const applied = gate.write(() => {
    progress.wrote = true;
    return applyRewrite(targets, changes, wait, runtime.queue);
  });
  // Not run: the connection was answered without us, and the outcome says so.
  if (!applied.ran) return progress.decided(decision);
  const written = (result: ApplyRewriteResult): HandledMessage =>
    result.ok ? progress.decided(decision) : progress.failed(result.error.code, result.error.message, isRefusal(result.error.code));
  return types.isPromise(applied.value) ? applied.value.then(written) : written(applied.value);
}

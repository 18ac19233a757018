import { performance } from 'node:perf_hooks';
import { applyRewrite, envelopeOf, isRefusal, readControlFiles, type Envelope } from '../lib/courier/queue';
import { applyBounceCap, changesOf, completeWithStore, decide, type Decision } from '../lib/policy';
import type { BounceCounter, StoreError } from '../lib/store';
import type { DecisionCounter } from './decisionCounts';
import { describeError, formatDecisionLine, type DecisionLine, type Logger } from './log';
import { failureReply, replyForDecision, TEMPORARY_FAILURE } from './reply';
import type { MessagePaths } from './request';
import type { Runtime } from './runtime';
import type { MessageHandler, Preemption, WriteGate } from './socketServer';

/** What became of one message before anything is logged or answered. */
type Outcome = (
  | { readonly kind: 'decided'; readonly envelope: Envelope; readonly decision: Decision; readonly wrote: boolean }
  | {
      readonly kind: 'failed';
      readonly envelope: Envelope | undefined;
      readonly error: string;
      readonly reason: string;
      /** A control-file write had begun: the files may be half-written. */
      readonly wrote: boolean;
      /** Refused, not failed (controlFileIo's isRefusal): answered 451 whatever on-error says. */
      readonly refused: boolean;
    }
) & {
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
    const outcome = await processMessage(paths, gate, runtime, bounces);
    const ms = performance.now() - started;
    const preemption = gate.preemption();
    const { storeError } = outcome;
    if (storeError !== undefined) gate.afterAnswer(() => log.warn(`sender store: ${storeError.code}: ${storeError.message}`));
    if ((preemption !== undefined || outcome.kind === 'failed') && outcome.counted.length > 0) {
      (runtime.store ?? bounces).giveBack(outcome.counted).catch((error: unknown) => log.warn(`bounce counts not given back: ${describeError(error)}`));
    }
    if (preemption !== undefined) {
      counts?.add('SRS_ERROR');
      log.error(formatDecisionLine(preemptedLine(outcome, preemption, ms)));
      return preemption.reply;
    }
    if (outcome.kind === 'failed') {
      const { onError } = runtime.policy;
      // After a write began, on-error accept would let Courier take a half-written file.
      const rule = outcome.wrote ? 'write-failed' : outcome.refused ? 'refused' : `on-error-${onError}`;
      const line = { ...errorLine(outcome.envelope, ms), error: outcome.error, rule, reason: outcome.reason };
      gate.afterAnswer(() => {
        counts?.add(line.code);
        log.error(formatDecisionLine(line));
      });
      return outcome.wrote || outcome.refused ? TEMPORARY_FAILURE : failureReply(onError);
    }
    const { decision, envelope } = outcome;
    gate.afterAnswer(() => {
      const line = decisionLineOf(decision, envelope, ms);
      counts?.add(line.code);
      log.info(formatDecisionLine(line));
    });
    return replyForDecision(decision);
  };
}

async function processMessage(paths: MessagePaths, gate: WriteGate, runtime: Runtime, bounces: BounceCounter): Promise<Outcome> {
  let envelope: Envelope | undefined;
  let wrote = false;
  let counted: readonly string[] = [];
  let storeError: StoreError | undefined;
  const extra = (): Pick<Outcome, 'counted' | 'storeError'> => (storeError === undefined ? { counted } : { counted, storeError });
  const failed = (error: string, reason: string, refused = false): Outcome => ({
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
    return { kind: 'decided', envelope, decision, wrote, ...extra() };
  } catch (error) {
    // A bug, caught here because this is where the queue id is known.
    return failed('internal', error instanceof Error ? error.message : String(error));
  }
}

function errorLine(envelope: Envelope | undefined, ms: number): Pick<DecisionLine, 'code' | 'qid' | 'from' | 'rcpts' | 'ms'> {
  return { code: 'SRS_ERROR', qid: envelope?.messageId ?? '', from: envelope?.sender ?? '', rcpts: 0, ms };
}

/** The server answered without this message's result; the line says with what, and why. */
function preemptedLine(outcome: Outcome, preemption: Preemption, ms: number): DecisionLine {
  // Unless a write had begun, the server answered what on-error says (200 is accept).
  const onError = preemption.reply.code === 200 ? 'accept' : 'tempfail';
  return {
    ...errorLine(outcome.envelope, ms),
    error: preemption.code,
    rule: outcome.wrote ? 'write-unfinished' : `on-error-${onError}`,
    reason: preemption.reason,
  };
}

function decisionLineOf(decision: Decision, envelope: Envelope, ms: number): DecisionLine {
  const common = { qid: envelope.messageId, from: envelope.sender, rule: decision.rule, reason: decision.reason, ms };
  switch (decision.kind) {
    case 'rewrite': {
      const { forwardedTo, to } = decision;
      return { ...common, code: 'SRS_REWRITE', rcpt: forwardedTo[0], to, rcpts: forwardedTo.length };
    }
    case 'reverse': {
      const first = decision.recipients[0];
      return { ...common, code: 'SRS_REVERSE', rcpt: first?.from, to: first?.to, rcpts: decision.recipients.length };
    }
    case 'pass':
      return { ...common, code: 'SRS_PASS', rcpts: envelope.recipients.length };
    case 'reject': {
      const { recipient, srsError } = decision;
      return { ...common, code: 'SRS_REJECT', rcpt: recipient, error: srsError, rcpts: envelope.recipients.length };
    }
  }
}

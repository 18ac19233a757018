import { performance } from 'node:perf_hooks';
import { applyRewrite, readControlFile } from '../lib/courier/controlFileIo';
import { envelopeOf } from '../lib/courier/envelope';
import type { ControlFile, Envelope } from '../lib/courier/types';
import { changesOf, decide, type Decision } from '../lib/policy';
import { formatDecisionLine, type DecisionLine, type Logger } from './log';
import { failureReply, replyForDecision, type Reply } from './reply';
import type { MessagePaths } from './request';
import type { Runtime } from './runtime';
import type { MessageHandler } from './socketServer';

/**
 * read → decide → apply → reply, for one message, with the runtime snapshot current when it
 * starts. The control files are rewritten (and fsynced) before the reply: Courier reads them
 * as soon as it has the answer. Every message logs exactly one decision line.
 */
export function createMessageHandler(current: () => Runtime, log: Logger): MessageHandler {
  return async (paths) => {
    const runtime = current();
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const failed = (qid: string, from: string, error: string, reason: string): Reply => {
      const { onError } = runtime.policy;
      const rule = `on-error-${onError}`;
      log.error(formatDecisionLine({ code: 'SRS_ERROR', qid, from, error, rcpts: 0, rule, reason, ms: elapsed() }));
      return failureReply(onError);
    };

    let envelope: Envelope | undefined;
    try {
      const reads = await Promise.all(paths.controlFiles.map((file) => readControlFile(file)));
      const bad = reads.findIndex((read) => !read.ok);
      const unreadable = reads[bad];
      if (unreadable !== undefined && !unreadable.ok) {
        // No queue id without a readable control file: name the file instead.
        const file = paths.controlFiles[bad] as string;
        const reason = unreadable.message.includes(file) ? unreadable.message : `${file}: ${unreadable.message}`;
        return failed('', '', unreadable.code, reason);
      }
      const files = reads.map((read) => (read as { file: ControlFile }).file);
      envelope = envelopeOf(files);

      const decision = decide(envelope, runtime);
      if (decision.kind === 'rewrite' || decision.kind === 'reverse') {
        const targets = files.map((file, index) => ({ path: paths.controlFiles[index] as string, file }));
        const applied = await applyRewrite(targets, changesOf(decision));
        if (!applied.ok) return failed(envelope.messageId, envelope.sender, applied.code, applied.message);
      }

      const line = formatDecisionLine(decisionLineOf(decision, envelope, elapsed()));
      log.info(line);
      return replyForDecision(decision);
    } catch (error) {
      // A bug, caught here because this is where the queue id is known.
      const message = error instanceof Error ? error.message : String(error);
      return failed(envelope?.messageId ?? '', envelope?.sender ?? '', 'internal', message);
    }
  };
}

function decisionLineOf(decision: Decision, envelope: Envelope, ms: number): DecisionLine {
  const common = { qid: envelope.messageId, from: envelope.sender, rule: decision.rule, reason: decision.reason, ms };
  const rcpts = envelope.recipients.length;
  switch (decision.kind) {
    case 'rewrite':
      return { ...common, code: 'SRS_REWRITE', to: decision.to, rcpts };
    case 'reverse': {
      const first = decision.recipients[0];
      return { ...common, code: 'SRS_REVERSE', rcpt: first?.from, to: first?.to, rcpts: decision.recipients.length };
    }
    case 'pass':
      return { ...common, code: 'SRS_PASS', rcpts };
    case 'reject':
      return { ...common, code: 'SRS_REJECT', rcpt: decision.recipient, error: decision.srsError, rcpts };
  }
}

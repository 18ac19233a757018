import type { OnError } from '../lib/config';
import type { Envelope } from '../lib/courier/queue';
import type { Decision, FailureRule, OnErrorRule } from '../lib/policy';
import type { DecisionLine } from './decisionLine';
import { ACCEPTED, TEMPORARY_FAILURE, type Reply } from './reply';
import type { Preemption } from './writeGate';

/**
 * What became of one message. This module is the one place that turns it into the reply
 * submit gets and the decision line the log gets, so that the two always agree.
 */
export type Outcome =
  | { readonly kind: 'decided'; readonly envelope: Envelope; readonly decision: Decision }
  | {
      readonly kind: 'failed';
      readonly envelope: Envelope | undefined;
      readonly error: string;
      readonly reason: string;
      /** A control-file write had begun: the files may be half-written. */
      readonly wrote: boolean;
      /** Refused, not failed (controlFileIo's isRefusal). */
      readonly refused: boolean;
    }
  /** The server answered without the handler (timeout, stop). */
  | { readonly kind: 'preempted'; readonly envelope: Envelope | undefined; readonly preemption: Preemption };

const ON_ERROR_RULE: Record<OnError, OnErrorRule> = { accept: 'on-error-accept', tempfail: 'on-error-tempfail' };

/** The rule of a message that has no decision to answer with while no control-file write has begun. */
export function onErrorRule(onError: OnError): OnErrorRule {
  return ON_ERROR_RULE[onError];
}

/**
 * The answer to a message without a decision: what the policy's on-error says, unless the
 * files were refused or a write had begun. Then only TEMPORARY_FAILURE, so that the sending
 * MTA retries and Courier never queues a control file that may be half-written.
 */
export function failureReply(rule: FailureRule): Reply {
  return rule === 'on-error-accept' ? ACCEPTED : TEMPORARY_FAILURE;
}

/** Accepted unless the policy refuses; a refusal carries the policy's own reply. */
export function replyForDecision(decision: Decision): Reply {
  return decision.kind === 'reject' ? { code: decision.reply.code, lines: [decision.reply.text] } : ACCEPTED;
}

/** The reply the outcome gets. A preempted message was answered already: with this. */
export function replyFor(outcome: Outcome, onError: OnError): Reply {
  return outcome.kind === 'decided' ? replyForDecision(outcome.decision) : failureReply(failureRuleOf(outcome, onError));
}

/** The one line the message logs; an error line unless it was decided. */
export function decisionLineOf(outcome: Outcome, onError: OnError, ms: number): DecisionLine {
  if (outcome.kind === 'decided') return decidedLine(outcome.decision, outcome.envelope, ms);
  const { envelope } = outcome;
  return {
    code: 'SRS_ERROR',
    qid: envelope?.messageId ?? '',
    from: envelope?.sender ?? '',
    error: outcome.kind === 'failed' ? outcome.error : outcome.preemption.code,
    rcpts: 0,
    rule: failureRuleOf(outcome, onError),
    reason: outcome.kind === 'failed' ? outcome.reason : outcome.preemption.reason,
    ms,
  };
}

function failureRuleOf(outcome: Exclude<Outcome, { kind: 'decided' }>, onError: OnError): FailureRule {
  if (outcome.kind === 'preempted') return outcome.preemption.rule;
  if (outcome.wrote) return 'write-failed';
  if (outcome.refused) return 'refused';
  return onErrorRule(onError);
}

function decidedLine(decision: Decision, envelope: Envelope, ms: number): DecisionLine {
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

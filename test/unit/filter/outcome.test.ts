import { decisionLineOf, failureReply, onErrorRule, replyFor, replyForDecision, type Outcome } from '../../../filter/outcome';
import { ACCEPTED, TEMPORARY_FAILURE } from '../../../filter/reply';
import type { Decision, FailureRule } from '../../../lib/policy';

type Envelope = Extract<Outcome, { kind: 'decided' }>['envelope'];

const envelope: Envelope = {
  sender: 'alice@sender.test',
  recipients: [
    { file: 0, index: 0, address: 'bob@example.org', originalRecipient: '', dsn: '', done: false, doneReply: '' },
    { file: 0, index: 1, address: 'carol@example.org', originalRecipient: '', dsn: '', done: false, doneReply: '' },
  ],
  source: 'smtp',
  relayClient: false,
  messageId: 'Q1',
};

const rewrite: Decision = {
  kind: 'rewrite',
  rule: 'forwarded-alias',
  reason: 'forwarded',
  from: 'alice@sender.test',
  to: 'SRS0=h=tt=sender.test=alice@example.org',
  forwardedTo: ['someone@remote.test', 'other@remote.test'],
};
const reverse: Decision = {
  kind: 'reverse',
  rule: 'srs-bounce',
  reason: 'bounce',
  recipients: [{ file: 0, index: 0, from: 'SRS0=h=tt=sender.test=alice@example.org', original: 'alice@sender.test', to: 'alice@sender.test', capKey: 'h' }],
  sender: '',
  sentBack: true,
};
const pass: Decision = { kind: 'pass', rule: 'backup-mx-relay', reason: 'backup MX' };
const reject: Decision = {
  kind: 'reject',
  rule: 'srs-invalid',
  reason: 'bad hash',
  recipient: 'SRS0=x@example.org',
  srsError: 'bad-hash',
  reply: { code: 550, text: '5.1.1 <SRS0=x@example.org>: bad hash' },
};

const failed = (wrote: boolean, refused: boolean): Outcome => ({ kind: 'failed', envelope, error: 'not-found', reason: 'gone', wrote, refused });

describe('the reply', () => {
  test('a decision is accepted unless it refuses; a refusal gets the policy reply', () => {
    expect([rewrite, reverse, pass].map(replyForDecision)).toEqual([ACCEPTED, ACCEPTED, ACCEPTED]);
    expect(replyForDecision(reject)).toEqual({ code: 550, lines: ['5.1.1 <SRS0=x@example.org>: bad hash'] });
    expect(replyFor({ kind: 'decided', envelope, decision: reject }, 'accept')).toEqual(replyForDecision(reject));
  });

  test('without a decision, only on-error accept accepts', () => {
    const rules: FailureRule[] = ['on-error-accept', 'on-error-tempfail', 'refused', 'write-failed', 'write-unfinished'];
    expect(rules.map(failureReply)).toEqual([ACCEPTED, TEMPORARY_FAILURE, TEMPORARY_FAILURE, TEMPORARY_FAILURE, TEMPORARY_FAILURE]);
  });

  test("a failure gets on-error's answer, unless a write began or the files were refused", () => {
    expect(replyFor(failed(false, false), 'accept')).toBe(ACCEPTED);
    expect(replyFor(failed(false, false), 'tempfail')).toBe(TEMPORARY_FAILURE);
    expect(replyFor(failed(true, false), 'accept')).toBe(TEMPORARY_FAILURE);
    expect(replyFor(failed(false, true), 'accept')).toBe(TEMPORARY_FAILURE);
  });

  test("a preempted message gets what its preemption's rule says, whatever on-error is now", () => {
    const preempted = (rule: 'on-error-accept' | 'write-unfinished'): Outcome => ({
      kind: 'preempted',
      envelope,
      preemption: { code: 'timeout', rule, reason: 'late' },
    });
    expect(replyFor(preempted('on-error-accept'), 'tempfail')).toBe(ACCEPTED);
    expect(replyFor(preempted('write-unfinished'), 'accept')).toBe(TEMPORARY_FAILURE);
  });

  test('onErrorRule names the policy choice', () => {
    expect([onErrorRule('accept'), onErrorRule('tempfail')]).toEqual(['on-error-accept', 'on-error-tempfail']);
  });
});

describe('the decision line', () => {
  const line = (outcome: Outcome) => decisionLineOf(outcome, 'tempfail', 2);
  const common = { qid: 'Q1', from: 'alice@sender.test', ms: 2 };

  test('a rewrite: the first forwarding target, the new sender, how many targets', () => {
    expect(line({ kind: 'decided', envelope, decision: rewrite })).toEqual({
      ...common,
      code: 'SRS_REWRITE',
      rcpt: 'someone@remote.test',
      to: 'SRS0=h=tt=sender.test=alice@example.org',
      rcpts: 2,
      rule: 'forwarded-alias',
      reason: 'forwarded',
    });
  });

  test('a reversal: the first SRS recipient and what it became, how many were reversed', () => {
    expect(line({ kind: 'decided', envelope, decision: reverse })).toEqual({
      ...common,
      code: 'SRS_REVERSE',
      rcpt: 'SRS0=h=tt=sender.test=alice@example.org',
      to: 'alice@sender.test',
      rcpts: 1,
      rule: 'srs-bounce',
      reason: 'bounce',
    });
  });

  test("a pass and a refusal count the message's recipients; a refusal names the recipient and the SRS error", () => {
    expect(line({ kind: 'decided', envelope, decision: pass })).toEqual({ ...common, code: 'SRS_PASS', rcpts: 2, rule: 'backup-mx-relay', reason: 'backup MX' });
    expect(line({ kind: 'decided', envelope, decision: reject })).toEqual({
      ...common,
      code: 'SRS_REJECT',
      rcpt: 'SRS0=x@example.org',
      error: 'bad-hash',
      rcpts: 2,
      rule: 'srs-invalid',
      reason: 'bad hash',
    });
  });

  test('a failure: SRS_ERROR with the error code, and the rule that chose its reply', () => {
    const error = { ...common, code: 'SRS_ERROR', error: 'not-found', rcpts: 0, reason: 'gone' };
    expect(decisionLineOf(failed(false, false), 'accept', 2)).toEqual({ ...error, rule: 'on-error-accept' });
    expect(decisionLineOf(failed(false, false), 'tempfail', 2)).toEqual({ ...error, rule: 'on-error-tempfail' });
    expect(decisionLineOf(failed(false, true), 'accept', 2)).toEqual({ ...error, rule: 'refused' });
    expect(decisionLineOf(failed(true, true), 'accept', 2)).toEqual({ ...error, rule: 'write-failed' });
  });

  test('a failure before the envelope was read: no queue id, no sender', () => {
    const outcome: Outcome = { kind: 'failed', envelope: undefined, error: 'unreadable', reason: '/q/C1: denied', wrote: false, refused: false };
    expect(line(outcome)).toMatchObject({ code: 'SRS_ERROR', qid: '', from: '' });
  });

  test('a preemption: its code as the error, its rule and its reason', () => {
    const outcome: Outcome = { kind: 'preempted', envelope, preemption: { code: 'stopping', rule: 'write-unfinished', reason: 'the filter is stopping' } };
    expect(line(outcome)).toEqual({ ...common, code: 'SRS_ERROR', error: 'stopping', rcpts: 0, rule: 'write-unfinished', reason: 'the filter is stopping' });
  });
});

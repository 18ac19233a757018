import { formatExplanation } from '../../../../cli/commands/explain';
import { envelopeFor, parseSource } from '../../../../cli/explain/hypotheticalEnvelope';
import type { Decision } from '../../../../lib/policy';

describe('envelopeFor', () => {
  it('builds the envelope submit would record', () => {
    expect(envelopeFor('<>', '<SRS0-x@example.org>', '', 'smtp')).toEqual({
      sender: '',
      recipients: [{ file: 0, index: 0, address: 'SRS0-x@example.org', originalRecipient: '', dsn: '', done: false, doneReply: '' }],
      source: 'smtp',
      relayClient: false,
      messageId: '',
    });
    expect(envelopeFor('a@b.test', 'c@d.test', 'fwd@example.org', 'authsmtp')).toMatchObject({
      relayClient: true,
      recipients: [{ originalRecipient: 'fwd@example.org' }],
    });
  });

  it('knows the u record values', () => {
    expect(['smtp', 'authsmtp', 'local', 'esmtp'].map(parseSource)).toEqual(['smtp', 'authsmtp', 'local', undefined]);
  });
});

describe('formatExplanation', () => {
  const envelope = envelopeFor('alice@sender.test', 'someone@remote.test', 'fwd@example.org', 'smtp');
  const head = 'message: from <alice@sender.test> to <someone@remote.test> (for <fwd@example.org>) (source smtp)\n';

  it.each<readonly [Decision, string]>([
    [
      { kind: 'rewrite', rule: 'forwarded-alias', reason: 'r', from: 'alice@sender.test', to: 'SRS0-x@example.org', forwardedTo: ['someone@remote.test'] },
      'decision: rewrite\nrule: forwarded-alias\nreason: r\nsender: <alice@sender.test> -> <SRS0-x@example.org>\n',
    ],
    [
      {
        kind: 'reverse',
        rule: 'srs-bounce',
        reason: 'r',
        recipients: [{ file: 0, index: 0, from: 'SRS0-x@example.org', original: 'a@b.test', to: 'a@b.test', capKey: 'k' }],
        sender: '',
        sentBack: true,
      },
      'decision: reverse\nrule: srs-bounce\nreason: r\nsender: <alice@sender.test> -> <>\nrecipient: <SRS0-x@example.org> -> <a@b.test>\n' +
        'bounce cap: counts toward max-bounces-per-address (10 per SRS address)\n',
    ],
    [
      {
        kind: 'reverse',
        rule: 'srs-bounce-kept',
        reason: 'r',
        recipients: [{ file: 0, index: 0, from: 'SRS0-x@example.org', original: 'a@b.test', to: 'postmaster@example.org', capKey: 'k' }],
        sender: '',
        sentBack: false,
      },
      'decision: reverse\nrule: srs-bounce-kept\nreason: r\nsender: <alice@sender.test> -> <>\n' +
        'recipient: <SRS0-x@example.org> -> <postmaster@example.org> (srs-bounces; the bounce is for <a@b.test>)\n',
    ],
    [
      { kind: 'reject', rule: 'srs-invalid', reason: 'r', recipient: 'x', srsError: 'bad-hash', reply: { code: 550, text: '5.1.1 <x>: bad' } },
      'decision: reject\nrule: srs-invalid\nreason: r\nreply: 550 5.1.1 <x>: bad\n',
    ],
    [{ kind: 'pass', rule: 'local-sender', reason: 'r' }, 'decision: pass\nrule: local-sender\nreason: r\n'],
  ])('prints a %s decision', (decision, expected) => {
    expect(formatExplanation(envelope, decision, { maxBouncesPerAddress: 10 })).toBe(head + expected);
  });
});

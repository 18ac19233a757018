import { parseControlFile } from '../../../../lib/courier/queue/controlFile';
import { envelopeOf } from '../../../../lib/courier/queue/envelope';
import type { ControlFile, Recipient } from '../../../../lib/courier/queue';
import { readFixture } from '../../../../kit/repo';

function load(source: string | Buffer): ControlFile {
  const result = parseControlFile(typeof source === 'string' ? readFixture(source) : source);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function recipient(index: number, address: string, extra: Partial<Recipient> = {}): Recipient {
  return { file: 0, index, address, originalRecipient: '', dsn: '', done: false, doneReply: '', ...extra };
}

describe('envelopeOf on the lab samples', () => {
  it('single-target alias: r is the target, R the alias; external smtp client', () => {
    expect(envelopeOf([load('single-alias-to-remote.ctl')])).toEqual({
      sender: 'alice@sender.test',
      recipients: [recipient(0, 'someone@remote.test', { originalRecipient: 'fwd@example.org' })],
      source: 'smtp',
      relayClient: false,
      messageId: '0000000000164054.000000006B072786.000046B0',
    });
  });

  it('multi-member alias: members with empty R and NOTIFY=NEVER, the alias itself done', () => {
    const envelope = envelopeOf([load('multi-alias.ctl')]);
    expect(envelope.recipients).toEqual([
      recipient(0, 'bob@example.org', { dsn: 'N' }),
      recipient(1, 'other@remote.test', { dsn: 'N' }),
      recipient(2, 'multi@example.org', { done: true, doneReply: '250 Ok - delivered to alias.' }),
    ]);
    expect(envelope).toMatchObject({ sender: 'alice@sender.test', source: 'authsmtp', relayClient: true });
  });

  it('external client, single and multi alias in one message', () => {
    const envelope = envelopeOf([load('external-127.0.0.2-fwd+multi.ctl')]);
    expect(envelope.recipients).toEqual([
      recipient(0, 'someone@remote.test', { originalRecipient: 'fwd@example.org' }),
      recipient(1, 'bob@example.org', { dsn: 'N' }),
      recipient(2, 'other@remote.test', { dsn: 'N' }),
      recipient(3, 'multi@example.org', { done: true, doneReply: '250 Ok - delivered to alias.' }),
    ]);
    expect(envelope).toMatchObject({ source: 'smtp', relayClient: false });
  });

  it('two-member alias of remote addresses', () => {
    expect(envelopeOf([load('two-remote-alias.ctl')]).recipients.map((r) => [r.address, r.done])).toEqual([
      ['one@remote.test', false],
      ['two@remote.test', false],
      ['two@example.org', true],
    ]);
  });

  it('relay client with two direct remote recipients', () => {
    expect(envelopeOf([load('two-remote-direct.ctl')])).toEqual({
      sender: 'alice@sender.test',
      recipients: [recipient(0, 'x1@remote.test'), recipient(1, 'x2@remote.test')],
      source: 'authsmtp',
      relayClient: true,
      messageId: '0000000000164012.000000006B072634.00001859',
    });
  });

  it('mixed alias, local and direct recipients', () => {
    expect(envelopeOf([load('mixed-fwd-local-direct.ctl')]).recipients).toEqual([
      recipient(0, 'someone@remote.test', { originalRecipient: 'fwd@example.org' }),
      recipient(1, 'bob@example.org'),
      recipient(2, 'y@other.test'),
    ]);
  });

  it('local only', () => {
    expect(envelopeOf([load('local-only.ctl')]).recipients).toEqual([recipient(0, 'bob@example.org')]);
  });

  it('.courier forward re-injected by local delivery', () => {
    expect(envelopeOf([load('dotcourier-forward-reinjected-local.ctl')])).toEqual({
      sender: 'alice@sender.test',
      recipients: [recipient(0, 'dottarget@remote.test', { originalRecipient: 'dotfwd@example.org', dsn: 'F' })],
      source: 'local',
      relayClient: false,
      messageId: '0000000000164041.000000006B0726BC.0000232E',
    });
  });

  it('bounce to an SRS address: null sender', () => {
    expect(envelopeOf([load('srs-bounce-external-nullsender.ctl')])).toMatchObject({
      sender: '',
      recipients: [recipient(0, 'srsbounce-SRS0=HHHH=TT=sender.test=alice@example.org')],
    });
  });
});

describe('envelopeOf, records the samples do not show', () => {
  it('strips the rfc822; prefix older Courier wrote in R', () => {
    const file = load(Buffer.from('sa@b.test\nrx@y.test\nRrfc822;alias@example.org\nN\nrz@y.test\nRRFC822;z@example.org\nN\n'));
    expect(envelopeOf([file]).recipients.map((r) => r.originalRecipient)).toEqual(['alias@example.org', 'z@example.org']);
  });

  it('pairs R and N by count as Courier does, not by position', () => {
    const file = load(Buffer.from('sa@b.test\nrone@x.test\nrtwo@x.test\nRfirst@example.org\nNF\nRsecond@example.org\n'));
    expect(envelopeOf([file]).recipients.map((r) => [r.originalRecipient, r.dsn])).toEqual([
      ['first@example.org', 'F'],
      ['second@example.org', ''],
    ]);
  });

  it('marks F (failed) as done, joins multi-line replies, ignores other I kinds and unknown indexes', () => {
    const file = load(
      Buffer.from(
        'sa@b.test\nrone@x.test\nR\nN\nrtwo@x.test\nR\nN\n' +
          'I1 P peer.test\nI1 R 550-line one\nI1 R 550 line two\nF1 1795630643 r\nS7 1795630643 r\nI9 R 250 ghost\n',
      ),
    );
    expect(envelopeOf([file]).recipients).toEqual([
      recipient(0, 'one@x.test'),
      recipient(1, 'two@x.test', { done: true, doneReply: '550-line one\n550 line two' }),
    ]);
  });

  it('numbers recipients per file across several control files; message fields from the first', () => {
    const first = load(Buffer.from('sa@b.test\nrone@x.test\nR\nN\nORELAYCLIENT=\nuauthsmtp\nMid-1\n'));
    const second = load(Buffer.from('sa@b.test\nrtwo@x.test\nR\nN\nusmtp\nMid-2\n'));
    const envelope = envelopeOf([first, second]);
    expect(envelope.recipients.map((r) => [r.file, r.index, r.address])).toEqual([
      [0, 0, 'one@x.test'],
      [1, 0, 'two@x.test'],
    ]);
    expect(envelope).toMatchObject({ source: 'authsmtp', relayClient: true, messageId: 'id-1' });
  });

  it('reads a message without u, M or recipients as empty values', () => {
    expect(envelopeOf([load(Buffer.from('s\n'))])).toEqual({ sender: '', recipients: [], source: '', relayClient: false, messageId: '' });
  });

  it('only an O record starting with RELAYCLIENT= makes a relay client', () => {
    expect(envelopeOf([load(Buffer.from('s\nONOTRELAYCLIENT=\nOX=RELAYCLIENT=\n'))]).relayClient).toBe(false);
  });

  it('throws when given no control file at all', () => {
    expect(() => envelopeOf([])).toThrow(RangeError);
  });
});

import { withChanges } from '../../../lib/courier/queue/controlFileEdit';
import { formatControlFile, parseControlFile } from '../../../lib/courier/queue/controlFile';
import { changesOf, decide, type Decision } from '../../../lib/policy';
import { contextWith, envelope, srsAddressFor } from './support';

describe('changesOf', () => {
  it('a rewrite changes the sender only', () => {
    const decision: Decision = { kind: 'rewrite', rule: 'forwarded-alias', reason: '', from: 'a@b.test', to: 'SRS0-x@example.org', forwardedTo: ['c@d.test'] };
    expect(changesOf(decision)).toEqual({ sender: 'SRS0-x@example.org' });
  });

  it('a reversal changes its recipients and leaves with the null sender', () => {
    const recipients = [{ file: 1, index: 2, from: 'SRS0-x@example.org', original: 'a@b.test', to: 'a@b.test', capKey: 'k' }];
    const decision: Decision = { kind: 'reverse', rule: 'srs-bounce', reason: '', recipients, sender: '', sentBack: true };
    expect(changesOf(decision)).toEqual({ sender: '', recipients });
  });

  it.each<Decision>([
    { kind: 'pass', rule: 'null-sender', reason: '' },
    { kind: 'reject', rule: 'srs-invalid', reason: '', recipient: 'x', srsError: 'bad-hash', reply: { code: 550, text: '5.1.1 <x>: no' } },
  ])('$kind changes nothing', (decision) => {
    expect(changesOf(decision)).toEqual({});
  });

  it('lib/courier applies a bounce reversal to the r line it came from', () => {
    const srs0 = srsAddressFor('alice@sender.test');
    const text = `s\nM1\nrbob@example.org\nR\nN\nrsrsbounce-${srs0}\nR\nN\nusmtp\n`;
    const parsed = parseControlFile(Buffer.from(text));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const decision = decide(envelope({ sender: '', recipients: [{ r: 'bob@example.org' }, { r: `srsbounce-${srs0}` }] }), contextWith());
    const [edited] = withChanges([parsed.value], changesOf(decision));
    expect(edited && formatControlFile(edited).toString()).toBe('s\nM1\nrbob@example.org\nR\nN\nralice@sender.test\nR\nN\nusmtp\n');
  });

  it.each(['PostMaster@bank.test', 'MAILER-DAEMON@mx.remote.test'])('a bounce from %s is reversed and leaves with the null sender', (sender) => {
    const srs0 = srsAddressFor('alice@sender.test');
    const parsed = parseControlFile(Buffer.from(`s${sender}\nM1\nr${srs0}\nR\nN\nusmtp\n`));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const decision = decide(envelope({ sender, recipients: [{ r: srs0 }] }), contextWith());
    const [edited] = withChanges([parsed.value], changesOf(decision));
    expect(edited && formatControlFile(edited).toString()).toBe('s\nM1\nralice@sender.test\nR\nN\nusmtp\n');
  });
});

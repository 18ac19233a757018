import { formatControlFile, parseControlFile } from '../../../../lib/courier/queue/controlFile';
import { withChanges, withRecipientAddress, withSender } from '../../../../lib/courier/queue/controlFileEdit';
import type { ControlFile } from '../../../../lib/courier/queue';
import { readFixture } from '../../../../kit/repo';

const SRS_SENDER = 'SRS0=abcd=AB=sender.test=alice@example.org';

function load(name: string): ControlFile {
  const result = parseControlFile(readFixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function text(file: ControlFile): string {
  return formatControlFile(file).toString('utf8');
}

describe('withSender', () => {
  it.each(['single-alias-to-remote', 'multi-alias', 'mixed-fwd-local-direct', 'two-remote-alias', 'two-remote-direct'])(
    '%s: gives exactly the bytes of the lab rewrite',
    (sample) => {
      const rewritten = withSender(load(`${sample}.ctl`), SRS_SENDER);
      expect(formatControlFile(rewritten).equals(readFixture(`${sample}.after-probe.ctl`))).toBe(true);
    },
  );

  it('leaves the original file value unchanged', () => {
    const original = load('multi-alias.ctl');
    withSender(original, SRS_SENDER);
    expect(formatControlFile(original).equals(readFixture('multi-alias.ctl'))).toBe(true);
  });

  it('rewrites an empty s record and can write one', () => {
    const nullSender = load('srs-bounce-external-nullsender.ctl');
    const withAddress = withSender(nullSender, 'mailer@remote.test');
    expect(text(withAddress).split('\n')[0]).toBe('smailer@remote.test');
    expect(formatControlFile(withSender(withAddress, '')).equals(readFixture('srs-bounce-external-nullsender.ctl'))).toBe(true);
  });

  it('writes a UTF-8 sender', () => {
    expect(text(withSender(load('local-only.ctl'), 'josé@exämple.org')).startsWith('sjosé@exämple.org\n')).toBe(true);
  });

  it.each(['a@b\nrinjected@x.test', 'a@b\r', 'a\0@b', 'a\t@b'])('throws on a sender that would break the record: %j', (sender) => {
    expect(() => withSender(load('local-only.ctl'), sender)).toThrow(RangeError);
  });
});

describe('withRecipientAddress', () => {
  it('gives exactly the bytes of the lab bounce reversal', () => {
    const rewritten = withRecipientAddress(load('srs-bounce-external-nullsender.ctl'), 0, 'alice@sender.test');
    expect(formatControlFile(rewritten).equals(readFixture('srs-bounce-external-nullsender.after-probe.ctl'))).toBe(true);
  });

  it('rewrites only the r record of the given recipient', () => {
    const original = text(load('mixed-fwd-local-direct.ctl')).split('\n');
    const rewritten = text(withRecipientAddress(load('mixed-fwd-local-direct.ctl'), 1, 'carol@example.org')).split('\n');
    const changed = rewritten.flatMap((line, i) => (line === original[i] ? [] : [[original[i], line]]));
    expect(changed).toEqual([['rbob@example.org', 'rcarol@example.org']]);
  });

  it('reaches the last recipient, also when it is already done', () => {
    const rewritten = text(withRecipientAddress(load('multi-alias.ctl'), 2, 'x@example.org'));
    expect(rewritten).toContain('\nrx@example.org\nR\nN\nI2 R 250 Ok - delivered to alias.\n');
  });

  it.each([3, -1])('throws for recipient %d that does not exist', (index) => {
    expect(() => withRecipientAddress(load('multi-alias.ctl'), index, 'x@example.org')).toThrow(RangeError);
  });
});

describe('withChanges', () => {
  it('sets the sender in every file and each recipient change in its own file', () => {
    const files = [load('two-remote-direct.ctl'), load('local-only.ctl')];
    const [first, second] = withChanges(files, {
      sender: SRS_SENDER,
      recipients: [{ file: 1, index: 0, to: 'carol@example.org' }],
    }).map(text);
    expect(first).toBe(readFixture('two-remote-direct.after-probe.ctl').toString());
    expect(second).toBe(readFixture('local-only.ctl').toString().replace('salice@sender.test\n', `s${SRS_SENDER}\n`).replace('rbob@', 'rcarol@'));
  });

  it('returns the files unchanged when nothing is to change', () => {
    const files = [load('multi-alias.ctl')];
    expect(withChanges(files, {})).toEqual(files);
  });

  it('throws for a change in a control file that does not exist', () => {
    expect(() => withChanges([load('multi-alias.ctl')], { recipients: [{ file: 1, index: 0, to: 'x@y.test' }] })).toThrow(RangeError);
  });
});

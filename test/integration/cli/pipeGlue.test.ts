/**
 * The pipe glue's per-alias forwarder script (a reconstruction, see the fixture) must work
 * unchanged with srsctl in place of /usr/bin/srs: run it once with each as `srs` on PATH and
 * compare what reaches sendmail.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCourierTree, type CourierTree } from './courierTree';
import { PERL_SRS, requirePerlSrs } from '../../support/perlSrs';
import { describeWithPerlSrs } from '../../support/withOptionalTools';
import { onOneDay, runNode, runProgram, SRSCTL } from './support';

jest.setTimeout(30_000);

const GLUE = path.resolve(__dirname, '../../fixtures/cli/pipe-glue-srs-forwarder');
const MESSAGE = Buffer.from('From: alice@sender.test\r\nSubject: glue\r\n\r\nbody\r\n.\r\n\0\xff no newline', 'latin1');

let tree: CourierTree;
let secretFile: string;
let messageFile: string;
beforeAll(() => {
  requirePerlSrs();
  tree = createCourierTree();
  // With a final newline, as `echo secret > file` writes it: Perl keys the newline too.
  secretFile = path.join(tree.root, 'etc/srs.secret');
  writeFileSync(secretFile, 'gl0e-s3cret\n');
  messageFile = path.join(tree.root, 'message');
  writeFileSync(messageFile, MESSAGE);
  makeBin('perl', PERL_SRS);
  const wrapper = path.join(tree.root, 'srsctl-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${SRSCTL}" "$@"\n`, { mode: 0o755 });
  makeBin('srsctl', wrapper);
});
afterAll(() => tree.remove());

/** <root>/<name>-bin holding `srs` (the implementation under test) and `sendmail` (the recorder). */
function makeBin(name: string, srs: string): void {
  const dir = path.join(tree.root, `${name}-bin`);
  mkdirSync(dir);
  symlinkSync(srs, path.join(dir, 'srs'));
  symlinkSync(tree.sendmail, path.join(dir, 'sendmail'));
}

function runGlue(implementation: 'perl' | 'srsctl', sender: string) {
  const env = tree.env({ SENDER: sender, SRS_SECRET_FILE: secretFile });
  env.PATH = `${path.join(tree.root, `${implementation}-bin`)}:${env.PATH}`;
  const run = runProgram('/bin/sh', [GLUE, 'someone@remote.test'], { env, stdinFile: messageFile });
  return { run, call: tree.sendmailCall() };
}

describeWithPerlSrs('the pipe glue forwarder with srsctl as srs', () => {
  it.each([
    ['an ordinary sender', 'alice@sender.test', /^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\.test=alice@example\.org$/],
    ['an SRS0 sender', 'SRS0=HHHH=TT=sender.test=alice@hop.test', /^SRS1=[A-Za-z0-9+/]{4}=hop\.test==HHHH=TT=sender\.test=alice@example\.org$/],
    ['a sender in the alias domain', 'bob@example.org', /^bob@example\.org$/],
    // srs refuses the empty address, so the glue passes `-f ''`: a bounce stays a bounce.
    ['the null sender', '', /^$/],
  ])('hands sendmail the same for %s', (_name, sender, expected) => {
    const { perl, srsctl } = onOneDay(() => ({ perl: runGlue('perl', sender), srsctl: runGlue('srsctl', sender) }));
    expect(srsctl.run.status).toBe(perl.run.status);
    expect(srsctl.run.status).toBe(0);
    expect(srsctl.call?.argv).toEqual(perl.call?.argv);
    expect(srsctl.call?.argv).toEqual(['-f', expect.stringMatching(expected), 'someone@remote.test']);
    expect(srsctl.call?.stdin.equals(MESSAGE)).toBe(true);
  });

  it('signs with the newline of the secret file, as Perl does, and srsctl reverses it', () => {
    const { call } = runGlue('srsctl', 'alice@sender.test');
    const address = call?.argv[1] as string;
    const withNewline = runNode(SRSCTL, ['reverse', '--secretfile', secretFile, address]);
    expect(withNewline).toMatchObject({ status: 0, stdout: 'alice@sender.test\n' });
    const withoutNewline = runNode(SRSCTL, ['reverse', '--secret', 'gl0e-s3cret', address]);
    expect(withoutNewline.status).toBe(1);
  });
});

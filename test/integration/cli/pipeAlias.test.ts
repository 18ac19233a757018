/**
 * srs-forwarder and srs-reverser as Courier runs them from a pipe alias: the compiled commands
 * with SENDER/RECIPIENT in the environment, the message on stdin, and a recording sendmail.
 * The message must reach sendmail byte for byte, whatever it contains.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSrs } from '../../../lib/srs';
import { createCourierTree, type CourierTree } from './courierTree';
import { itWithPerlSrs } from '../../support/withOptionalTools';
import { runNode, runPerlSrs, runProgram, SRS_FORWARDER, SRS_REVERSER, SRSCTL } from './support';

jest.setTimeout(30_000);

/** CRLF and bare LF and CR, NUL and 8-bit bytes, a mbox `From ` line, SMTP dots, no final newline, and more than a pipe buffer. */
const MESSAGE = Buffer.concat([
  Buffer.from('Received: from mx.sender.test\r\nFrom: "Alice" <alice@sender.test> (a comment)\r\nSubject: folded\r\n and continued\r\n\r\n'),
  Buffer.from('From the start of a line\n.\n..\r\nlone\rcarriage return\n'),
  Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a]),
  Buffer.alloc(300_000, 'body '),
  Buffer.from('no final newline'),
]);

let tree: CourierTree;
let messageFile: string;
beforeEach(() => {
  tree = createCourierTree();
  messageFile = path.join(tree.root, 'message');
  writeFileSync(messageFile, MESSAGE);
});
afterEach(() => tree.remove());

function forwarder(sender: string | undefined, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const env = tree.env({ ...(sender === undefined ? {} : { SENDER: sender }), RECIPIENT: 'fwd@example.org', ...extraEnv });
  return runNode(SRS_FORWARDER, ['--config', tree.policyPath, ...args], { env, stdinFile: messageFile });
}

function reverser(sender: string, recipient: string | undefined, extraEnv: NodeJS.ProcessEnv = {}) {
  const env = tree.env({ SENDER: sender, ...(recipient === undefined ? {} : { RECIPIENT: recipient }), ...extraEnv });
  return runNode(SRS_REVERSER, ['--config', tree.policyPath], { env, stdinFile: messageFile });
}

/** An SRS address of the tree's policy, made by srsctl the way the filter makes them. */
function srsAddressOf(...sender: string[]): string {
  const run = runNode(SRSCTL, ['forward', '--config', tree.policyPath, ...sender], { env: tree.env() });
  expect(run.status).toBe(0);
  return run.stdout.trim();
}

/**
 * Runs `script` with `variable` set to bytes that are not UTF-8: Node cannot put those into a
 * child's environment itself (it encodes strings as UTF-8), bash's $'\xNN' can.
 */
function withRawVariable(script: string, variable: string, bytes: Buffer, args: readonly string[]) {
  const value = [...bytes].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('');
  const command = `${variable}=$'${value}' exec "$0" "$@"`;
  return runProgram('/bin/bash', ['-c', command, process.execPath, script, '--config', tree.policyPath, ...args], {
    env: tree.env(),
    stdinFile: messageFile,
  });
}

describe('srs-forwarder', () => {
  itWithPerlSrs('re-injects with the sender rewritten to SRS and the message byte for byte', () => {
    const run = forwarder('alice@sender.test', ['someone@remote.test']);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const call = tree.sendmailCall();
    expect(call?.argv).toEqual(['-f', expect.stringMatching(/^SRS0-[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\.test=alice@example\.org$/), '-', 'someone@remote.test']);
    expect(call?.stdin.equals(MESSAGE)).toBe(true);
    // The policy's separator is '-'; Perl reverses it with the same secret.
    const back = runPerlSrs(['--reverse', '--secret', tree.secret, call?.argv[1] as string]);
    expect(back.stdout).toBe('alice@sender.test\n');
  });

  it('passes a piped message on byte for byte too', () => {
    const env = tree.env({ SENDER: 'alice@sender.test' });
    expect(runNode(SRS_FORWARDER, ['--config', tree.policyPath, 'someone@remote.test'], { env, input: MESSAGE }).status).toBe(0);
    expect(tree.sendmailCall()?.stdin.equals(MESSAGE)).toBe(true);
  });

  it('forwards to every target', () => {
    expect(forwarder('alice@sender.test', ['one@remote.test', 'two@remote.test']).status).toBe(0);
    expect(tree.sendmailCall()?.argv.slice(2)).toEqual(['-', 'one@remote.test', 'two@remote.test']);
  });

  it('keeps the null sender null', () => {
    expect(forwarder('', ['someone@remote.test']).status).toBe(0);
    expect(tree.sendmailCall()?.argv).toEqual(['-f', '', '-', 'someone@remote.test']);
  });

  it('makes an SRS0 sender from another forwarder SRS1, keeping its first hop', () => {
    expect(forwarder('SRS0=HHHH=TT=sender.test=alice@hop.test', ['someone@remote.test']).status).toBe(0);
    expect(tree.sendmailCall()?.argv[1]).toMatch(/^SRS1-[A-Za-z0-9+/]{4}=hop\.test==HHHH=TT=sender\.test=alice@example\.org$/);
  });

  it('forwards a sender SRS cannot encode unchanged, with a note in the delivery log', () => {
    const run = forwarder('root', ['someone@remote.test']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^srs-forwarder: warning: sender <root> forwarded unchanged: /);
    expect(tree.sendmailCall()?.argv[1]).toBe('root');
  });

  it.each([
    ['no target', 'alice@sender.test', [], /no TARGET/],
    ['a target that looks like an option', 'alice@sender.test', ['--', '-oi@remote.test'], /starts with '-'/],
    ['an unknown option', 'alice@sender.test', ['-oi', 'someone@remote.test'], /Unknown option/],
    ['no SENDER (not run by Courier)', undefined, ['someone@remote.test'], /SENDER is not set/],
  ] as const)('fails temporarily (75) on %s, sending nothing', (_name, sender, targets, message) => {
    const run = forwarder(sender, targets);
    expect(run.status).toBe(75);
    expect(run.stderr).toMatch(message);
    expect(tree.sendmailCall()).toBeUndefined();
  });

  it('refuses for good a SENDER that is not UTF-8, rather than sending U+FFFD in its place', () => {
    const run = withRawVariable(SRS_FORWARDER, 'SENDER', Buffer.from('caf\xe9@latin1.test', 'latin1'), ['someone@remote.test']);
    expect(run.status).toBe(67);
    expect(run.stderr).toMatch(/^srs-forwarder: SENDER <caf\ufffd@latin1\.test> is not UTF-8: /);
    expect(tree.sendmailCall()).toBeUndefined();
  });

  it('fails temporarily when the policy is broken, naming file, line and column', () => {
    tree.writePolicy('hash-length: many\n');
    const run = forwarder('alice@sender.test', ['someone@remote.test']);
    expect(run.status).toBe(75);
    expect(run.stderr).toContain(`${tree.policyPath}:3:14: hash-length:`);
    expect(tree.sendmailCall()).toBeUndefined();
  });

  it('passes on sendmail refusing the recipient for good (67), and anything else as temporary (75)', () => {
    expect(forwarder('alice@sender.test', ['someone@remote.test'], { FAKE_SENDMAIL_EXIT: '67' }).status).toBe(67);
    expect(forwarder('alice@sender.test', ['someone@remote.test'], { FAKE_SENDMAIL_EXIT: '1' }).status).toBe(75);
    const missing = forwarder('alice@sender.test', ['someone@remote.test'], { SRSFILTER_SENDMAIL: `${tree.root}/bin/no-such-sendmail` });
    expect(missing.status).toBe(75);
    expect(missing.stderr).toMatch(/cannot run .*no-such-sendmail: ENOENT/);
  });

  it('warns about a world-readable secrets file but delivers', () => {
    chmodSync(tree.secretPath, 0o644);
    const run = forwarder('alice@sender.test', ['someone@remote.test']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^srs-forwarder: warning: .*world-readable/);
  });
});

describe('srs-reverser', () => {
  it('sends a bounce to the original sender, null sender and message kept', () => {
    const run = reverser('', srsAddressOf('alice@sender.test'));
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const call = tree.sendmailCall();
    expect(call?.argv).toEqual(['-f', '', '-', 'alice@sender.test']);
    expect(call?.stdin.equals(MESSAGE)).toBe(true);
  });

  itWithPerlSrs('accepts the pipe glue bounce prefix (srsbounce-) and the = separator of its addresses', () => {
    const glue = runPerlSrs(['--secret', tree.secret, '--alias', 'example.org', 'alice@sender.test']).stdout.trim();
    expect(reverser('', `srsbounce-${glue}`).status).toBe(0);
    expect(tree.sendmailCall()?.argv).toEqual(['-f', '', '-', 'alice@sender.test']);
  });

  itWithPerlSrs('verifies with every secret of the file (key rotation)', () => {
    const old = runPerlSrs(['--secret', 'old-s3cret', '--alias', 'example.org', 'alice@sender.test']).stdout.trim();
    expect(reverser('', old).status).toBe(0);
  });

  it.each(['MAILER-DAEMON@mx.remote.test', 'PostMaster@bank.test'])('sends a bounce from %s on from the null sender', (sender) => {
    expect(reverser(sender, srsAddressOf('alice@sender.test')).status).toBe(0);
    expect(tree.sendmailCall()?.argv).toEqual(['-f', '', '-', 'alice@sender.test']);
  });

  it('sends a bounce to an SRS1 address back to the first hop', () => {
    expect(reverser('', srsAddressOf('SRS0=HHHH=TT=sender.test=alice@hop.test')).status).toBe(0);
    expect(tree.sendmailCall()?.argv[3]).toBe('SRS0=HHHH=TT=sender.test=alice@hop.test');
  });

  const refusals: ReadonlyArray<readonly [name: string, recipient: () => string, sender: string, message: RegExp]> = [
    ['a bad hash', () => 'SRS0-abcd=AB=sender.test=alice@example.org', '', /bad-hash/],
    ['an expired address', () => expiredAddress(), '', /expired/],
    ['a malformed address', () => 'SRS0-abcd=A=sender.test=alice@example.org', '', /malformed/],
    ['junk after the bounce prefix', () => 'srsbounce-junk@example.org', '', /not-srs|malformed/],
    ['another domain', () => srsAddressOf('alice@sender.test').replace('@example.org', '@other.test'), '', /no SRS address of example\.org/],
    ['a non-bounce (reverse-only-bounces)', () => srsAddressOf('alice@sender.test'), 'spammer@junk.test', /not-bounce/],
  ];
  it.each(refusals)('refuses %s for good (67), sending nothing', (_name, recipient, sender, message) => {
    const run = reverser(sender, recipient());
    expect(run.status).toBe(67);
    expect(run.stderr).toMatch(message);
    expect(tree.sendmailCall()).toBeUndefined();
  });

  // Courier's sendmail skips `--` and reads on: such a recipient would become an option
  // (-n: print instead of sending; -f: choose the sender).
  it.each(['-n@attacker.test', '-fvictim@bank.test'])('refuses an address reversing to %s for good (67), sending nothing', (original) => {
    const run = reverser('', srsAddressOf('--', original));
    expect(run.status).toBe(67);
    expect(run.stderr).toMatch(new RegExp(`reverses to <${original}>, which starts with '-'`));
    expect(tree.sendmailCall()).toBeUndefined();
  });

  it('refuses for good a RECIPIENT that is not UTF-8', () => {
    const run = withRawVariable(SRS_REVERSER, 'RECIPIENT', Buffer.from('SRS0=abcd=AB=latin1.test=caf\xe9@example.org', 'latin1'), []);
    expect(run.status).toBe(67);
    expect(run.stderr).toMatch(/^srs-reverser: RECIPIENT <SRS0=[^>]*caf\ufffd@example\.org> is not UTF-8: /);
    expect(tree.sendmailCall()).toBeUndefined();
  });

  it('fails temporarily (75) without RECIPIENT', () => {
    expect(reverser('', undefined).status).toBe(75);
    expect(tree.sendmailCall()).toBeUndefined();
  });
});

function expiredAddress(): string {
  const thirtyDaysAgo = Date.now() - 30 * 86_400_000;
  const srs = createSrs({ secrets: [Buffer.from(tree.secret)], separator: '-', now: () => thirtyDaysAgo });
  const made = srs.forward('alice@sender.test', 'example.org');
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

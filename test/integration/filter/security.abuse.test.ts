/**
 * Security properties of the compiled filter: root is refused before anything is read, the
 * secret never reaches the log, the socket is 0660, a secrets file others can read or write
 * stops the start-up, and our SRS addresses relay nothing but bounces.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createSrs } from '../../../lib/srs';
import { startFilter, stopQuietly, type FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { createSpool, queueMessage, removeSpool, TEST_SECRET, writePolicy, type Spool } from '../../../kit/spool';
import { sendLikeSubmit, submit } from '../../../kit/submitClient';

const SIGNING_SECRET = 'Sign1ng-s3cret-that-must-never-be-logged';
const OLD_SECRET = 'R3tired-s3cret-still-verifying';
const runsAsRoot = process.getuid?.() === 0;

let spool: Spool;
let filter: FilterProcess | undefined;

afterEach(async () => {
  await stopQuietly(filter);
  filter = undefined;
  await removeSpool(spool);
});

/** Every way the secret could show up in a log line: as text, base64, hex, or in JSON. */
function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), JSON.stringify(secret)];
}

function expectNoSecretIn(log: string): void {
  for (const form of [...secretForms(SIGNING_SECRET), ...secretForms(OLD_SECRET)]) expect(log).not.toContain(form);
}

describe('the secret is never logged', () => {
  test('at debug level, through rewrites, reversals, rejections, errors, bad requests and reloads', async () => {
    spool = await createSpool({ secrets: `${SIGNING_SECRET}\n${OLD_SECRET}\n`, policy: { 'log-level': 'debug' } });
    filter = startFilter(spool, { args: ['--connection-timeout-ms', '500'] });
    let stdout = '';
    filter.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    await filter.ready;
    const srs = createSrs({ secrets: [Buffer.from(OLD_SECRET)], separator: '-' });
    const valid = srs.forward('alice@sender.test', 'example.org');
    if (!valid.ok) throw new Error(valid.error.message);
    const bounce = readFixture('srs-bounce-external-nullsender.ctl').toString();
    const forwarded = readFixture('single-alias-to-remote.ctl').toString();
    const controls = [
      forwarded,
      readFixture('local-only.ctl').toString(),
      bounce.replace(/^r.*$/m, `r${valid.value}`),
      bounce.replace(/^r.*$/m, `r${valid.value.replace(/^SRS0-..../, 'SRS0-AAAA')}`),
      forwarded.replace(/^r.*$/m, `r${valid.value}`),
      forwarded.replace(/^s.*\n/, ''),
    ];
    for (const control of controls) await submit(filter.socketPath, await queueMessage(spool, [control]));
    await sendLikeSubmit(filter.socketPath, 'relative/path\n\n');
    await sendLikeSubmit(filter.socketPath, null);

    await fs.appendFile(spool.configPath, 'no-such-key: 1\n');
    filter.child.kill('SIGHUP');
    await filter.waitForLog(/reload failed/);
    await writePolicy(spool, { 'log-level': 'debug' });
    filter.child.kill('SIGHUP');
    await filter.waitForLog(/reloaded/);
    await filter.stop();

    expect(filter.stderr()).toMatch(/code=SRS_REWRITE/);
    expect(filter.stderr()).toMatch(/code=SRS_REVERSE/);
    expect(filter.stderr()).toMatch(/code=SRS_REJECT/);
    expect(filter.stderr()).toMatch(/code=SRS_ERROR/);
    expectNoSecretIn(filter.stderr() + stdout);
  });

  test('nor when the secrets file is refused at start-up', async () => {
    spool = await createSpool({ secrets: `${SIGNING_SECRET}\n` });
    await fs.chmod(spool.secretsPath, 0o644);
    filter = startFilter(spool);
    expect((await filter.exited).code).not.toBe(0);
    expectNoSecretIn(filter.stderr());
  });
});

describe('the secrets file', () => {
  test.each([
    ['0644', 'world-readable'],
    ['0604', 'world-readable'],
    ['0660', 'group-writable'],
    ['0602', 'world-writable'],
    ['0666', 'world-writable'],
  ])('mode %s (%s) stops the start-up with the fix, before any socket exists', async (mode) => {
    spool = await createSpool();
    await fs.chmod(spool.secretsPath, parseInt(mode, 8));
    filter = startFilter(spool);
    expect((await filter.exited).code).not.toBe(0);
    expect(filter.stderr()).toMatch(/^ERR: .*secrets-file: .*fix: chmod 0640 /m);
    await expect(filter.ready).rejects.toThrow();
    expect(await fs.readdir(spool.socketDir)).toEqual([]);
  });

  test('reached through a symlink, the mode of the file itself counts', async () => {
    spool = await createSpool();
    const target = `${spool.root}/exposed.secret`;
    await fs.writeFile(target, 'exposed\n', { mode: 0o644 });
    await fs.chmod(target, 0o644);
    await fs.rm(spool.secretsPath);
    await fs.symlink(target, spool.secretsPath);
    filter = startFilter(spool);
    expect((await filter.exited).code).not.toBe(0);
    expect(filter.stderr()).toMatch(/^ERR: .*secrets-file: .*world-readable/m);
  });

  test.each<[string, (path: string) => Promise<void>]>([
    ['missing', (path) => fs.rm(path)],
    ['a directory', async (path) => fs.rm(path).then(() => fs.mkdir(path))],
    ['a FIFO (must not hang the start-up)', async (path) => fs.rm(path).then(() => void execFileSync('mkfifo', ['-m', '0640', path]))],
  ])('%s: a clear error and no socket', async (_name, replace) => {
    spool = await createSpool();
    await replace(spool.secretsPath);
    filter = startFilter(spool);
    expect((await filter.exited).code).not.toBe(0);
    expect(filter.stderr()).toMatch(/^ERR: .*secrets-file: /m);
    expect(await fs.readdir(spool.socketDir)).toEqual([]);
  });

  test.each(['0640', '0600', '0400'])('mode %s is accepted', async (mode) => {
    spool = await createSpool();
    await fs.chmod(spool.secretsPath, parseInt(mode, 8));
    filter = startFilter(spool);
    await filter.ready;
  });
});

describe('the socket', () => {
  test('is 0660 and not reachable by others, also when it replaces a stale one', async () => {
    spool = await createSpool();
    await fs.writeFile(`${spool.socketDir}/srsfilter`, 'stale');
    await fs.chmod(`${spool.socketDir}/srsfilter`, 0o777);
    filter = startFilter(spool);
    expect(await filter.ready).toEqual({ socketExisted: true, socketMode: 0o660 });
  });
});

describe('running as root', () => {
  // Refused before the policy or the secret is read: nothing of the secret is loaded as root.
  (runsAsRoot ? test : test.skip)('is refused before the configuration is looked at', async () => {
    spool = await createSpool();
    await fs.writeFile(spool.configPath, 'this: is: not: a policy\n');
    await fs.rm(spool.secretsPath);
    filter = startFilter(spool, { withoutAllowRoot: true });
    expect((await filter.exited).code).not.toBe(0);
    expect(filter.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^ERR: refusing to run as root/)]);
  });
});

describe('SRS reversal is no open relay', () => {
  test('a non-bounce to a valid SRS address of ours is refused and nothing is rewritten', async () => {
    spool = await createSpool();
    filter = startFilter(spool);
    await filter.ready;
    const srs = createSrs({ secrets: [Buffer.from(TEST_SECRET)], separator: '-' });
    const valid = srs.forward('victim@elsewhere.test', 'example.org');
    if (!valid.ok) throw new Error(valid.error.message);
    const control = readFixture('single-alias-to-remote.ctl').toString().replace(/^r.*$/m, `r${valid.value}`);
    const message = await queueMessage(spool, [control]);
    expect(await submit(filter.socketPath, message)).toMatch(/^550 5\.7\.1 /);
    expect(await fs.readFile(message.controlFiles[0] as string, 'utf8')).toBe(control);
  });

  test('a valid SRS address of another domain is not reversed', async () => {
    spool = await createSpool();
    filter = startFilter(spool);
    await filter.ready;
    const srs = createSrs({ secrets: [Buffer.from(TEST_SECRET)], separator: '-' });
    const foreign = srs.forward('victim@elsewhere.test', 'other-forwarder.test');
    if (!foreign.ok) throw new Error(foreign.error.message);
    const control = readFixture('srs-bounce-external-nullsender.ctl').toString().replace(/^r.*$/m, `r${foreign.value}`);
    const message = await queueMessage(spool, [control]);
    await submit(filter.socketPath, message);
    expect((await fs.readFile(message.controlFiles[0] as string, 'utf8')).match(/^r.*$/m)?.[0]).toBe(`r${foreign.value}`);
  });
});

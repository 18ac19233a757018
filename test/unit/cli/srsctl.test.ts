import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSrsctl } from '../../../cli/srsctl';
import { captureIo } from './captureIo';

let dir: string;
let policyPath: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'srsctl-unit-'));
  writeFileSync(path.join(dir, 'secret'), 's3cret\n', { mode: 0o640 });
  policyPath = path.join(dir, 'srsfilter.yaml');
  writeFileSync(policyPath, `srs-domain: example.org\nsecrets-file: ${path.join(dir, 'secret')}\nhash-length: 5\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureIo();
  const status = await runSrsctl(args, io);
  return { status, stdout: io.out(), stderr: io.err() };
}

describe('srsctl dispatch', () => {
  it('runs a subcommand named first, and the Debian srs form otherwise', async () => {
    expect(await run('help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage:/) });
    expect(await run('--help')).toMatchObject({ status: 1 });
    expect((await run('--secret', 's', '--alias', 'example.org', 'a@b.test')).stdout).toMatch(/^SRS0=/);
  });

  it("lists check's --before-start in the usage", async () => {
    expect((await run('help')).stdout).toMatch(/^ {2}srsctl check \[--before-start\] /m);
  });

  it.each([['x'], ['toString'], ['relaod', '--config', '/etc/courier/srsfilter.yaml']])(
    'says an unknown subcommand is one, with the usage, exit 1: %j',
    async (...args) => {
      const result = await run(...args);
      expect(result).toMatchObject({ status: 1, stdout: '' });
      expect(result.stderr).toMatch(/^Usage:/);
      expect(result.stderr).toMatch(new RegExp(`\\nsrsctl: unknown command '${args[0]}'\\n$`));
    },
  );

  it.each([
    ['no arguments', [], /no address/],
    ['an option first', ['--reverse', 'x'], /no secret/],
    ['an address first', ['a@b.test', '--alias', 'x.test'], /no secret/],
  ])('takes the Debian srs form for its arguments: %s', async (_name, args, message) => {
    expect(await run(...args)).toMatchObject({ status: 255, stderr: expect.stringMatching(message) });
  });

  it('lists reload and status in the usage', async () => {
    const usage = (await run('help')).stdout;
    expect(usage).toMatch(/^ {2}srsctl reload /m);
    expect(usage).toMatch(/^ {2}srsctl status /m);
  });
});

describe('srsctl forward / reverse', () => {
  it('take the secrets and settings of the policy unless secrets are given', async () => {
    const forward = await run('forward', '--config', policyPath, 'a@b.test');
    expect(forward).toMatchObject({ status: 0, stderr: '' });
    expect(forward.stdout).toMatch(/^SRS0-[A-Za-z0-9+/]{5}=[A-Z2-7]{2}=b\.test=a@example\.org\n$/);
    expect(await run('reverse', '--config', policyPath, forward.stdout.trim())).toEqual({ status: 0, stdout: 'a@b.test\n', stderr: '' });
    // The policy strips the newline of the secrets file; --secretfile keeps it, so it does not verify.
    expect((await run('reverse', '--secretfile', path.join(dir, 'secret'), '--hashlength', '5', forward.stdout.trim())).status).toBe(1);
    expect((await run('reverse', '--secret', 's3cret', '--hashlength', '5', forward.stdout.trim())).status).toBe(0);
  });

  it('need an alias with explicit secrets', async () => {
    expect(await run('forward', '--secret', 's', 'a@b.test')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--alias DOMAIN/) });
  });

  it.each([
    [['forward', '--secret', 's', '--alias', 'x.test', '--hashlength', '0', 'a@b.test'], /--hashlength must be a whole number from 1 to \d+, not '0'/],
    [['reverse', '--config', '/absent/srsfilter.yaml', '--hashlength', '4x', 'a@b.test'], /--hashlength must be a whole number from 1 to \d+, not '4x'/],
    [['forward', '--secret', 's', '--alias', 'x.test', '--separator', '/', 'a@b.test'], /--separator must be one of = \+ -, not '\/'/],
    [['forward', '--secret', '', '--alias', 'x.test', 'a@b.test'], /an empty secret/],
    [['reverse', '--config', '/absent/srsfilter.yaml'], /needs at least one ADDRESS/],
    [['reverse', '--bogus', 'x'], /bogus/],
  ])('refuse bad option values and missing addresses with status 2: %j', async (args, message) => {
    const result = await run(...args);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toMatch(/^srsctl: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
  });
});

describe('srsctl genkey', () => {
  it('prints a secret without a line ending and takes no arguments', async () => {
    expect((await run('genkey')).stdout).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await run('genkey', 'extra')).toMatchObject({ status: 2 });
  });

  it('names the error when it cannot create the --output file', async () => {
    const output = path.join(dir, 'missing-dir', 'secret');
    expect(await run('genkey', '--output', output)).toEqual({ status: 1, stdout: '', stderr: `srsctl: cannot create ${output}: ENOENT\n` });
  });

  it('creates the --output file with mode 0640 whatever the umask, in the --group given', async () => {
    const output = path.join(dir, 'grouped.secret');
    const umask = process.umask(0o077);
    try {
      expect(await run('genkey', '--output', output, '--group', 'daemon')).toEqual({ status: 0, stdout: '', stderr: '' });
    } finally {
      process.umask(umask);
    }
    const made = statSync(output);
    expect(made.mode & 0o7777).toBe(0o640);
    expect(made.gid).toBe(Number(execFileSync('getent', ['group', 'daemon'], { encoding: 'utf8' }).split(':')[2]));
    expect(readFileSync(output, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('creates nothing for a --group this system does not know (exit 1)', async () => {
    const output = path.join(dir, 'no-group.secret');
    expect(await run('genkey', '--output', output, '--group', 'no-such-group')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'srsctl: the group no-such-group is unknown on this system\n',
    });
    expect(existsSync(output)).toBe(false);
  });

  it('takes --group only with --output (exit 2)', async () => {
    expect(await run('genkey', '--group', 'daemon')).toMatchObject({ status: 2, stdout: '' });
  });
});

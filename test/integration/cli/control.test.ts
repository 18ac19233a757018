/**
 * `srsctl reload` and `srsctl status` against the compiled filter in a fake Courier spool: they
 * find its control socket through courier-config (the spool's, first on PATH) as on a real host.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { queueMessage, writePolicy } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';
import { reloadFailureSwitch, senderAfterSubmit as senderOf, spoolPerTest } from '../filter/harness';
import { requireFile, SRSCTL, type Run } from './support';

// Each test starts a filter and runs srsctl as a process or two: seconds on a busy machine.
jest.setTimeout(20_000);

const each = spoolPerTest();
const forwarded = readFixture('single-alias-to-remote.ctl');

/** Asynchronous: the filter answers from this same process's children, so the test must not block. */
function srsctl(...args: string[]): Promise<Run> {
  requireFile(SRSCTL, 'build first with `npx tsc -p tsconfig.json` (npm test does)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SRSCTL, ...args, '--config', each.spool.configPath], {
      env: { PATH: `${each.spool.binDir}:/usr/bin:/bin` },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const senderAfterSubmit = (filter: FilterProcess): Promise<string> => senderOf(each.spool, filter, forwarded);

describe('srsctl status', () => {
  test('not running: says so, exit 3', async () => {
    const result = await srsctl('status');
    expect(result).toMatchObject({ status: 3, stderr: '' });
    expect(result.stdout).toMatch(/^srsfilter is not running: no control socket at .*\/var\/srsfilter\/srsfilter\.control\n$/);
  });

  test('running: pid, uptime, policy, secrets and the decisions since start by code', async () => {
    const filter = each.start();
    await filter.ready;
    await senderAfterSubmit(filter);
    await senderAfterSubmit(filter);
    const unreadable = await queueMessage(each.spool, [forwarded]);
    await fs.rm(unreadable.controlFiles[0] as string);
    expect(await submit(filter.socketPath, unreadable)).toMatch(/^451 /);
    // A message is counted when its decision line is logged, just after its answer.
    while ((filter.stderr().match(/code=SRS_/g) ?? []).length < 3) await new Promise((done) => setTimeout(done, 20));
    const result = await srsctl('status');
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^srsfilter is running\npid: ${filter.child.pid}\nuptime: 0h 0m \\d+s \\(since \\d{4}-`));
    expect(result.stdout).toContain(`policy: ${each.spool.configPath}, loaded `);
    expect(result.stdout).toContain('secrets: 1\n');
    expect(result.stdout).toContain('decisions since start: rewrite=2 reverse=0 pass=0 reject=0 error=1\n');
  });

  test('a filter that died leaves its control socket: not running, exit 3', async () => {
    const filter = each.start();
    await filter.ready;
    filter.child.kill('SIGKILL');
    await filter.exited;
    const result = await srsctl('status');
    expect(result.status).toBe(3);
    expect(result.stdout).toMatch(/is not running: nothing listens on /);
  });
});

describe('srsctl reload', () => {
  test('applied: what changed, exit 0, and new messages get the new policy', async () => {
    const filter = each.start();
    await filter.ready;
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
    await writePolicy(each.spool, { separator: '=' });
    const result = await srsctl('reload');
    expect(result).toEqual({ status: 0, stdout: "reload applied: changed separator: '-' -> '='\nsecrets: 1\n", stderr: '' });
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0=/);

    expect((await srsctl('reload')).stdout).toBe('reload applied: nothing changed\nsecrets: 1\n');
  });

  test('refused: each problem with file, line and column, the old policy stays, exit 1', async () => {
    const filter = each.start();
    await filter.ready;
    await fs.writeFile(each.spool.configPath, `srs-domain: example.org\nsecrets-file: ${each.spool.secretsPath}\nhash-length: 0\n`);
    const result = await srsctl('reload');
    expect(result).toEqual({
      status: 1,
      stdout:
        'reload refused: 1 problem(s)\n' +
        `  ${each.spool.configPath}:3:14: hash-length: must be at least 1\n` +
        'the old policy stays in force\n',
      stderr: '',
    });
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
  });

  test('an exception in the reload is refused as an internal error and the filter goes on', async () => {
    const failure = await reloadFailureSwitch(each.spool);
    const filter = each.start({ nodeArgs: failure.nodeArgs });
    await filter.ready;
    await failure.arm();
    const result = await srsctl('reload');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('reload refused: 1 problem(s)\n  internal error: hostname injected failure\nthe old policy stays in force\n');
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
  });

  test('not running: exit 3', async () => {
    expect((await srsctl('reload')).status).toBe(3);
  });

  test('stopping the filter removes its control socket', async () => {
    const filter = each.start();
    await filter.ready;
    const socket = path.join(each.spool.localstatedir, 'srsfilter/srsfilter.control');
    expect((await fs.stat(socket)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(socket))).mode & 0o777).toBe(0o700);
    expect(await filter.stop()).toEqual({ code: 0, signal: null });
    await expect(fs.stat(socket)).rejects.toThrow(/ENOENT/);
  });
});

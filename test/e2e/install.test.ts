// Case 8 of issue 5: install.sh is idempotent, and `srsctl check` judges the installed system.
// run.sh ran install.sh once before the suite; these tests run it again.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { filterPid } from './support/courier';
import { e2eTest } from './support/harness';
import { readInstalledPolicy } from './support/policy';
import { COURIER_ETC, ENABLEFILTERING_FILE, FILTER_NAME, POLICY_FILE, REPO_ROOT } from './support/world';

const execFileAsync = promisify(execFile);

/** Every path install.sh writes (Debian's courier-mta layout). */
const INSTALLED = [
  '/usr/lib/srsfilter',
  `/usr/lib/courier/filters/${FILTER_NAME}`,
  `${COURIER_ETC}/filters/active/${FILTER_NAME}`,
  '/usr/local/bin/srsctl',
  '/usr/local/bin/srs-forwarder',
  '/usr/local/bin/srs-reverser',
  POLICY_FILE,
  `${COURIER_ETC}/enablefiltering`,
  ...['SRS0', 'SRS1', 'srs0', 'srs1'].map((tag) => `${COURIER_ETC}/aliasdir/.courier-${tag}-default`),
];

interface Outcome {
  readonly code: number;
  readonly output: string;
}

async function runCommand(command: string, args: readonly string[], cwd = REPO_ROOT): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** path → mode, owner, mtime and content hash (or link target) of it and everything below it. */
function snapshot(paths: readonly string[]): Map<string, string> {
  const state = new Map<string, string>();
  const visit = (path: string): void => {
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      state.set(path, 'absent');
      return;
    }
    const meta = `${stats.mode.toString(8)} ${stats.uid}:${stats.gid} ${stats.mtimeMs}`;
    if (stats.isSymbolicLink()) state.set(path, `${meta} -> ${readlinkSync(path)}`);
    else if (stats.isDirectory()) readdirSync(path).forEach((entry) => visit(join(path, entry)));
    else state.set(path, `${meta} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  };
  paths.forEach(visit);
  return state;
}

describe('install.sh', () => {
  e2eTest('a second run changes nothing: same files, same bytes, same mtimes, same filter process', async () => {
    const { secretsFile } = readInstalledPolicy();
    const watched = [...INSTALLED, secretsFile];
    const before = snapshot(watched);
    const pid = filterPid();

    const run = await runCommand('bash', ['install.sh']);

    expect(run).toEqual({ code: 0, output: expect.stringContaining('nothing to do') });
    expect(run.output.split('\n').filter((line) => /^\s+do\s/.test(line))).toEqual([]);
    expect(snapshot(watched)).toEqual(before);
    expect(filterPid()).toBe(pid);
  }, 120_000);

  e2eTest('adds esmtp to the first line of enablefiltering (the only one Courier reads) and keeps the others; runs from any cwd', async () => {
    const original = readFileSync(ENABLEFILTERING_FILE);
    writeFileSync(ENABLEFILTERING_FILE, 'local\nesmtp\n');
    try {
      const run = await runCommand('bash', [join(REPO_ROOT, 'install.sh')], '/');

      expect(run).toEqual({ code: 0, output: expect.stringContaining(`do     add esmtp to the first line of ${ENABLEFILTERING_FILE}\n`) });
      expect(run.output).toContain('1 change(s) made');
      expect(readFileSync(ENABLEFILTERING_FILE, 'utf8')).toBe('local esmtp\nesmtp\n');
    } finally {
      writeFileSync(ENABLEFILTERING_FILE, original);
    }
  }, 120_000);

  e2eTest('--dry-run --uninstall lists what it would remove and removes nothing', async () => {
    const before = snapshot(INSTALLED);

    const run = await runCommand('bash', ['install.sh', '--dry-run', '--uninstall']);

    expect(run.code).toBe(0);
    expect(run.output).toContain('would  stop the filter');
    expect(run.output).toContain('would  remove /usr/lib/srsfilter');
    expect(snapshot(INSTALLED)).toEqual(before);
  });
});

describe('srsctl check on the installed system', () => {
  e2eTest('passes', async () => {
    const check = await runCommand('/usr/local/bin/srsctl', ['check']);
    expect(check).toEqual({ code: 0, output: expect.any(String) });
  });

  e2eTest('fails with a clear line when the secrets file is world-readable', async () => {
    const { secretsFile } = readInstalledPolicy();
    const mode = statSync(secretsFile).mode & 0o7777;
    chmodSync(secretsFile, mode | 0o004);
    try {
      const check = await runCommand('/usr/local/bin/srsctl', ['check']);
      expect(check.code).not.toBe(0);
      expect(check.output.split('\n').filter((line) => line.includes(secretsFile) && line.includes('world-readable'))).not.toEqual([]);
    } finally {
      chmodSync(secretsFile, mode);
    }
  });
});

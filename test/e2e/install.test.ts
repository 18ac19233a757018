// install.sh builds the Debian package srsfilter and installs it with apt; a second run is
// idempotent, `apt-get remove` leaves Courier delivering, and `srsctl check` judges the
// installed system. run.sh ran install.sh once before the suite; these tests run it again.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { filterPid } from '../../kit/realCourier/courier';
import { readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { waitUntil } from '../../kit/realCourier/wait';
import { ADDRESSES as A, COURIER_ETC, ENABLEFILTERING_FILE, FILTER_NAME, POLICY_FILE, SRSCTL } from '../../kit/realCourier/world';
import { REPO_ROOT } from '../../kit/repo';
import { expectSrs0Of } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';

const execFileAsync = promisify(execFile);
const sink = useSink();

const APP_DIR = '/usr/lib/srsfilter';
const FILTER_WRAPPER = `/usr/lib/courier/filters/${FILTER_NAME}`;
const COMMANDS = [SRSCTL, '/usr/bin/srs-forwarder', '/usr/bin/srs-reverser'];
const ALIAS_FILES = ['SRS0', 'SRS1', 'srs0', 'srs1'].map((tag) => `${COURIER_ETC}/aliasdir/.courier-${tag}-default`);
const ACTIVE_LINK = `${COURIER_ETC}/filters/active/${FILTER_NAME}`;

/** Every path the package and its postinst write (Debian's courier-mta layout). */
const INSTALLED = [APP_DIR, FILTER_WRAPPER, ACTIVE_LINK, ...COMMANDS, POLICY_FILE, `${COURIER_ETC}/enablefiltering`, ...ALIAS_FILES];

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
    expect(run.output).toContain('would  remove the package srsfilter (apt-get remove; its prerm stops the filter)');
    expect(snapshot(INSTALLED)).toEqual(before);
  });
});

/** Every file below `dir`. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

async function dpkgQuery(format: string): Promise<string> {
  return (await execFileAsync('dpkg-query', ['-W', `-f=${format}`, 'srsfilter'])).stdout;
}

describe('the Debian package', () => {
  e2eTest('is installed, architecture all, with its dependencies from Debian', async () => {
    const status = (await execFileAsync('dpkg', ['-s', 'srsfilter'])).stdout;
    expect(status).toMatch(/^Status: install ok installed$/m);
    expect(status).toMatch(new RegExp(`^Architecture: ${execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim()}$`, 'm'));
    expect(status).toMatch(/^Depends: courier-mta, nodejs \(>= 18\), libc6 \(>= 2\.\d+\)$/m);
  });

  e2eTest('dpkg -L lists every file it installed; the policy is a conffile; the secret is not shipped', async () => {
    const listed = new Set((await execFileAsync('dpkg', ['-L', 'srsfilter'])).stdout.split('\n'));
    const expected = [...filesBelow(APP_DIR), FILTER_WRAPPER, ...COMMANDS, POLICY_FILE];
    expect(expected.filter((file) => !listed.has(file))).toEqual([]);
    expect(await dpkgQuery('${Conffiles}')).toContain(` ${POLICY_FILE} `);

    const { secretsFile } = readInstalledPolicy();
    expect(listed.has(secretsFile)).toBe(false);
    const secret = statSync(secretsFile);
    const { stdout: courierGid } = await execFileAsync('getent', ['group', 'courier']);
    expect([secret.mode & 0o7777, secret.uid, secret.gid]).toEqual([0o640, 0, Number(courierGid.split(':')[2])]);
  });

  e2eTest('carries the production dependencies and none of the development ones', async () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const present = (name: string): boolean => existsSync(join(APP_DIR, 'node_modules', name));
    expect(Object.keys(manifest.dependencies).filter((name) => !present(name))).toEqual([]);
    expect(Object.keys(manifest.devDependencies).filter(present)).toEqual([]);
  });

  e2eTest(
    'apt-get remove (install.sh --uninstall) leaves Courier delivering, unfiltered, policy and secret kept; install.sh brings it back',
    async () => {
      const { srsDomain, secretsFile } = readInstalledPolicy();
      const policyBefore = readFileSync(POLICY_FILE);
      const secretBefore = readFileSync(secretsFile);
      try {
        const removed = await runCommand('bash', ['install.sh', '--uninstall']);
        expect(removed).toEqual({ code: 0, output: expect.stringContaining('do     remove the package srsfilter') });
        expect(await dpkgQuery('${db:Status-Abbrev}')).toBe('rc ');
        expect([APP_DIR, ACTIVE_LINK, ...COMMANDS, ...ALIAS_FILES].filter((path) => existsSync(path))).toEqual([]);
        expect(filterPid()).toBeUndefined();
        expect(readFileSync(POLICY_FILE)).toEqual(policyBefore);
        expect(readFileSync(secretsFile)).toEqual(secretBefore);

        const unfiltered = newToken('removed');
        expect((await sendMail({ from: A.externalSender, to: [A.alias] }, buildMessage(unfiltered, A.externalSender, A.alias))).code).toBe(250);
        expect((await sink().waitForOne(carrying(unfiltered))).mailFrom).toBe(A.externalSender);
      } finally {
        const back = await runCommand('bash', ['install.sh']);
        expect(back).toEqual({ code: 0, output: expect.stringContaining('change(s) made') });
      }
      expect(await dpkgQuery('${db:Status-Abbrev}')).toBe('ii ');
      expect(readFileSync(POLICY_FILE)).toEqual(policyBefore);
      expect(readFileSync(secretsFile)).toEqual(secretBefore);
      await waitUntil('the filter of the reinstalled package', filterPid);
      const filtered = newToken('back');
      expect((await sendMail({ from: A.externalSender, to: [A.alias] }, buildMessage(filtered, A.externalSender, A.alias))).code).toBe(250);
      await expectSrs0Of((await sink().waitForOne(carrying(filtered))).mailFrom, A.externalSender, srsDomain, secretsFile);
    },
    300_000,
  );
});

describe('srsctl check on the installed system', () => {
  e2eTest('passes', async () => {
    const check = await runCommand(SRSCTL, ['check']);
    expect(check).toEqual({ code: 0, output: expect.any(String) });
  });

  e2eTest('fails with a clear line when the secrets file is world-readable', async () => {
    const { secretsFile } = readInstalledPolicy();
    const mode = statSync(secretsFile).mode & 0o7777;
    chmodSync(secretsFile, mode | 0o004);
    try {
      const check = await runCommand(SRSCTL, ['check']);
      expect(check.code).not.toBe(0);
      expect(check.output.split('\n').filter((line) => line.includes(secretsFile) && line.includes('world-readable'))).not.toEqual([]);
    } finally {
      chmodSync(secretsFile, mode);
    }
  });
});

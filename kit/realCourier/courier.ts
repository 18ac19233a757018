// The real Courier's moving parts the tests drive: the srsfilter process courierfilter
// runs, filterctl, enablefiltering, a local Maildir, and the mail log.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitUntil } from './wait';
import { ENABLEFILTERING_FILE, FILTER_NAME, MAIL_LOG } from './world';

const run = promisify(execFile);
const FILTER_SOCKET = `/var/lib/courier/allfilters/${FILTER_NAME}`;
const COURIERFILTER_PIDFILE = '/run/courier/courierfilter.pid';

function commandLine(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return []; // the process has gone
  }
}

function parentCommand(pid: string): string {
  try {
    // /proc/PID/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ')'
    const ppid = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
    return readFileSync(`/proc/${ppid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The pid of the srsfilter that courierfilter runs (the integration tests start others). */
export function filterPid(): number | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const argv = commandLine(pid);
    const nameAt = argv.indexOf('--name');
    if (
      argv.some((arg) => arg.endsWith('/dist/filter/main.js')) &&
      argv[nameAt + 1] === FILTER_NAME &&
      parentCommand(pid) === 'courierfilter'
    ) {
      return Number(pid);
    }
  }
  return undefined;
}

function filterSocketPresent(): boolean {
  try {
    return statSync(FILTER_SOCKET).isSocket();
  } catch {
    return false;
  }
}

function runningFilter(): number | undefined {
  const pid = filterPid();
  return pid !== undefined && filterSocketPresent() ? pid : undefined;
}

async function filterctl(action: 'start' | 'stop'): Promise<void> {
  await run('filterctl', [action, FILTER_NAME]);
}

/**
 * filterctl start, and wait until the filter serves its socket. courierfilter acts on a
 * SIGHUP that arrives while it still handles the previous one only at the next signal (it
 * checks its flag before sigsuspend), so a start right after a stop can go unnoticed; one
 * more SIGHUP covers that.
 */
export async function startFilter(): Promise<number> {
  await filterctl('start');
  try {
    return await waitUntil('srsfilter to start', runningFilter, 3_000);
  } catch {
    process.kill(Number(readFileSync(COURIERFILTER_PIDFILE, 'utf8')), 'SIGHUP');
    return waitUntil('srsfilter to start after one more SIGHUP', runningFilter);
  }
}

/** filterctl stop, then start: a new filter process with the current policy and build. */
export async function restartFilter(): Promise<number> {
  await stopFilter();
  return startFilter();
}

/** filterctl stop, then wait until the process has exited and taken its socket along. */
export async function stopFilter(): Promise<void> {
  const before = filterPid();
  await filterctl('stop');
  await waitUntil('srsfilter to exit after filterctl stop', () =>
    (before === undefined || filterPid() !== before) && !filterSocketPresent() ? true : undefined,
  );
}

/** Submits `raw` the way a local user's MUA does: Courier's sendmail, run as `user`. */
export function sendmailAs(user: string, from: string, to: string, raw: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('runuser', ['-u', user, '--', '/usr/sbin/sendmail', '-f', from, to], (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(raw);
  });
}

/** Runs `body` with /etc/courier/enablefiltering holding `words`; puts the file back afterwards. */
export async function withEnableFiltering<T>(words: readonly string[], body: () => Promise<T>): Promise<T> {
  const original = readFileSync(ENABLEFILTERING_FILE);
  writeFileSync(ENABLEFILTERING_FILE, `${words.join(' ')}\n`);
  try {
    return await body(); // submit reads the file per message: no restart needed
  } finally {
    writeFileSync(ENABLEFILTERING_FILE, original);
  }
}

function homeOf(user: string): string {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === user);
  if (entry?.[5] === undefined) throw new Error(`no user ${user} (courier-env.sh up makes it)`);
  return entry[5];
}

/** Waits for the message carrying `token` in the local user's Maildir/new; returns its bytes. */
export function waitForMaildirMessage(user: string, token: string, timeoutMs = 20_000): Promise<Buffer> {
  const dir = join(homeOf(user), 'Maildir', 'new');
  return waitUntil(
    `a message with ${token} in ${dir}`,
    () => {
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        const bytes = readFileSync(join(dir, name));
        if (bytes.includes(token)) return bytes;
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** A position in the mail log; `linesSince()` returns what Courier and the filter logged after it. */
export interface LogMark {
  linesSince(): string;
}

export function markMailLog(): LogMark {
  const start = existsSync(MAIL_LOG) ? statSync(MAIL_LOG).size : 0;
  return {
    linesSince: () => (existsSync(MAIL_LOG) ? readFileSync(MAIL_LOG).subarray(start).toString('utf8') : `(no ${MAIL_LOG})`),
  };
}

/**
 * A fake Courier for the compiled filter: a temp spool laid out like Courier's (etc/, var/tmp,
 * var/allfilters, a fake courier-config first on PATH) and a process started the way
 * courierfilter starts a filter (stdin pipe = stop signal, fd 3 = ready signal, cwd /usr, an
 * almost empty environment). Also used by bench/ to drive the filter under load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { stringify } from 'yaml';
import type { Logger } from '../../../filter/log';

/** The repository: found upwards, since this file also runs compiled from dist/ (bench). */
export const REPO_ROOT = findRepoRoot(__dirname);
export const FILTER_MAIN = path.join(REPO_ROOT, 'dist/filter/main.js');
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/filter');

/** What courierfilter's environment holds: Courier's courierd settings are irrelevant here. */
const COURIER_PATH = '/usr/bin:/bin:/usr/bin:/usr/local/bin';

export interface Spool {
  readonly root: string;
  readonly sysconfdir: string;
  readonly localstatedir: string;
  /** Where submit puts a message's files while filters run. */
  readonly queueDir: string;
  readonly socketDir: string;
  readonly binDir: string;
  readonly configPath: string;
  readonly secretsPath: string;
}

export interface SpoolOptions {
  /** Lines of Courier's `locals`. */
  readonly locals?: readonly string[];
  /** The secrets file's content. */
  readonly secrets?: string;
  /** Policy keys (YAML names) on top of the minimal policy. */
  readonly policy?: Readonly<Record<string, unknown>>;
}

export const TEST_SECRET = 'integration-test-secret';
export const SRS_DOMAIN = 'example.org';

export async function createSpool(options: SpoolOptions = {}): Promise<Spool> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'srsfilter-it-'));
  const spool: Spool = {
    root,
    sysconfdir: path.join(root, 'etc'),
    localstatedir: path.join(root, 'var'),
    queueDir: path.join(root, 'var/tmp'),
    socketDir: path.join(root, 'var/allfilters'),
    binDir: path.join(root, 'bin'),
    configPath: path.join(root, 'etc/srsfilter.yaml'),
    secretsPath: path.join(root, 'etc/srsfilter.secret'),
  };
  for (const dir of [spool.sysconfdir, spool.queueDir, spool.socketDir, spool.binDir]) {
    await fs.mkdir(dir, { recursive: true });
  }
  await fs.copyFile(path.join(FIXTURES, 'courier-config'), path.join(spool.binDir, 'courier-config'));
  await fs.chmod(path.join(spool.binDir, 'courier-config'), 0o755);
  const locals = options.locals ?? ['localhost', 'mail.example.org', 'example.org'];
  await fs.writeFile(path.join(spool.sysconfdir, 'locals'), locals.map((l) => `${l}\n`).join(''));
  await fs.writeFile(spool.secretsPath, options.secrets ?? `${TEST_SECRET}\n`, { mode: 0o640 });
  await fs.chmod(spool.secretsPath, 0o640);
  await writePolicy(spool, options.policy ?? {});
  return spool;
}

/** The minimal policy the issue promises to work, plus `extra` keys. */
export function policyFor(spool: Spool, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    'srs-domain': SRS_DOMAIN,
    'secrets-file': spool.secretsPath,
    'forwarded-domains': [SRS_DOMAIN],
    ...extra,
  };
}

export async function writePolicy(spool: Spool, extra: Readonly<Record<string, unknown>> = {}): Promise<void> {
  await fs.writeFile(spool.configPath, stringify(policyFor(spool, extra)));
}

export async function removeSpool(spool: Spool): Promise<void> {
  await fs.rm(spool.root, { recursive: true, force: true });
}

/** Synchronous so that test tables can be built from fixtures. */
export function readFixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export interface QueuedMessage {
  readonly dataFile: string;
  readonly controlFiles: readonly string[];
}

let messageCounter = 0;

/**
 * Puts one message into the spool's queue the way submit does: a directory per message, the
 * control file(s), and the data file named `D<inode of the first control file>`.
 */
export async function queueMessage(
  spool: Spool,
  controlFiles: readonly (string | Buffer)[],
  data: string | Buffer = 'Subject: test\n\nbody\n',
): Promise<QueuedMessage> {
  messageCounter += 1;
  const dir = path.join(spool.queueDir, String(process.pid * 1000 + messageCounter));
  await fs.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [index, content] of controlFiles.entries()) {
    const file = path.join(dir, `1795630982.${messageCounter}.${index}.mail.example.org`);
    await fs.writeFile(file, content, { mode: 0o660 });
    paths.push(file);
  }
  const first = paths[0];
  if (first === undefined) throw new Error('a message needs a control file');
  const dataFile = path.join(dir, `D${(await fs.stat(first)).ino}`);
  await fs.writeFile(dataFile, data, { mode: 0o660 });
  return { dataFile, controlFiles: paths };
}

/** submit's request: the data file, the control files, an empty line. */
/** Submits a message with this control file and returns its first line afterwards: the sender record. */
export async function senderAfterSubmit(spool: Spool, filter: FilterProcess, controlFile: string | Buffer): Promise<string> {
  const message = await queueMessage(spool, [controlFile]);
  const answer = await submit(filter.socketPath, message);
  if (answer !== '200 Ok\n') throw new Error(`the filter answered ${JSON.stringify(answer)}, not 200 Ok`);
  return (await fs.readFile(message.controlFiles[0] as string, 'utf8')).split('\n')[0] ?? '';
}

export function formatRequest(message: QueuedMessage): string {
  return [message.dataFile, ...message.controlFiles, '', ''].join('\n');
}

export interface SendOptions {
  /** Shut down our sending side after the payload (submit does not; some clients do). */
  readonly endAfterWrite?: boolean;
  /** Give up waiting for the server after this long (the test fails with a clear message). */
  readonly timeoutMs?: number;
}

/** Connects, writes `payload` (nothing when null), returns all it reads until the filter closes. */
export function sendRaw(
  socketPath: string,
  payload: string | Buffer | null,
  options: SendOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${socketPath} within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      if (payload === null) return;
      if (options.endAfterWrite) socket.end(payload);
      else socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

export function submit(socketPath: string, message: QueuedMessage, options: SendOptions = {}): Promise<string> {
  return sendRaw(socketPath, formatRequest(message), options);
}

export interface FilterProcess {
  readonly child: ChildProcess;
  readonly socketPath: string;
  /** Resolves when the filter closes fd 3 with its socket in place; rejects when it fails to start. */
  readonly ready: Promise<ReadyState>;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Everything the filter wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr line matching `pattern` (a string: contained), waiting if needed. */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** courierfilter's stop: close stdin, then wait for the exit. */
  stop(): Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** What the socket looked like at the moment fd 3 was closed. */
export interface ReadyState {
  readonly socketExisted: boolean;
  readonly socketMode: number | null;
}

export interface StartOptions {
  readonly args?: readonly string[];
  /** Node's own options, before the script (e.g. `--require` of a file the test wrote). */
  readonly nodeArgs?: readonly string[];
  /** A command that runs node, e.g. `['prlimit', '--nofile=128:128']`. */
  readonly launcher?: readonly string[];
  /** Leave out --allow-root (to test the refusal). */
  readonly withoutAllowRoot?: boolean;
  /** The path the process is started as (courierfilter uses the active/ symlink). */
  readonly scriptPath?: string;
  readonly name?: string;
}

export function startFilter(spool: Spool, options: StartOptions = {}): FilterProcess {
  const name = options.name ?? 'srsfilter';
  const socketPath = path.join(spool.socketDir, name);
  const args = [
    ...(options.nodeArgs ?? []),
    options.scriptPath ?? FILTER_MAIN,
    '--config',
    spool.configPath,
    ...(options.scriptPath === undefined ? ['--name', name] : []),
    ...(options.withoutAllowRoot ? [] : ['--allow-root']),
    ...(options.args ?? []),
  ];
  const [program, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
  const child = spawn(program as string, [...launcherArgs, ...args], {
    cwd: '/usr',
    env: { PATH: `${spool.binDir}:${COURIER_PATH}` },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let stderrText = '';
  const waiters: { pattern: RegExp | string; resolve: (line: string) => void }[] = [];
  const matches = (line: string, pattern: RegExp | string): boolean =>
    typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line);
  const checkWaiters = (): void => {
    for (const waiter of [...waiters]) {
      const line = stderrText.split('\n').find((l) => matches(l, waiter.pattern));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderrText += text;
    checkWaiters();
  });
  child.stdout?.resume();

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<ReadyState>((resolve, reject) => {
    const fd3 = child.stdio[3] as Readable;
    fd3.on('data', () => undefined);
    // fd 3 also closes when the process dies: ready means the socket is there at that moment.
    fd3.on('end', () => {
      const state = socketState(socketPath);
      if (state.socketExisted) resolve(state);
      else reject(new Error(`fd 3 closed without a socket at ${socketPath}:\n${stderrText}`));
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`filter exited (code ${code}, signal ${signal}) before ready:\n${stderrText}`)),
    );
  });
  // A test that expects a start-up failure never awaits `ready`.
  ready.catch(() => undefined);

  return {
    child,
    socketPath,
    ready,
    exited,
    stderr: () => stderrText,
    waitForLog(pattern, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${stderrText}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        checkWaiters();
      });
    },
    async stop() {
      child.stdin?.end();
      return exited;
    },
  };
}

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'test/fixtures/filter'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no srsfilter repository above ${start}`);
  }
}

function socketState(socketPath: string): ReadyState {
  try {
    const stat = statSync(socketPath);
    return { socketExisted: stat.isSocket(), socketMode: stat.mode & 0o777 };
  } catch {
    return { socketExisted: false, socketMode: null };
  }
}

/** Stops a filter that a test left running, so jest can exit. */
export async function stopQuietly(filter: FilterProcess | undefined): Promise<void> {
  if (filter === undefined || filter.child.exitCode !== null || filter.child.signalCode !== null) return;
  filter.child.kill('SIGKILL');
  await filter.exited;
}

export interface SpoolPerTest {
  /** The current test's spool. */
  readonly spool: Spool;
  /** startFilter on the current test's spool; the filter is killed after the test if still running. */
  start(options?: StartOptions): FilterProcess;
}

/**
 * A fresh spool for every test of the file, removed after it, with the filter the test started
 * there. Call at the top level of a test file: it registers jest's beforeEach and afterEach.
 */
export function spoolPerTest(options: SpoolOptions = {}): SpoolPerTest {
  let spool: Spool | undefined;
  let filter: FilterProcess | undefined;
  beforeEach(async () => {
    spool = await createSpool(options);
  });
  afterEach(async () => {
    await stopQuietly(filter);
    filter = undefined;
    if (spool !== undefined) await removeSpool(spool);
    spool = undefined;
  });
  const current = (): Spool => {
    if (spool === undefined) throw new Error('spoolPerTest: the spool exists only while a test runs');
    return spool;
  };
  return {
    get spool() {
      return current();
    },
    start(startOptions) {
      filter = startFilter(current(), startOptions);
      return filter;
    },
  };
}

export interface RecordingLogger extends Logger {
  /** Every line logged at info level and above, prefixed as the filter's stderr has it. */
  readonly lines: string[];
}

/** For tests of the filter's parts in-process; empty `lines` between tests. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    error: (message) => lines.push(`ERR: ${message}`),
    warn: (message) => lines.push(`WARN: ${message}`),
    info: (message) => lines.push(`INFO: ${message}`),
    // Debug lines (e.g. a client's reset) depend on timing; no test is about them.
    debug: () => undefined,
  };
}

/**
 * A bug brought in by a test: `nodeArgs` for startFilter preload a file that makes os.hostname
 * (which loading the runtime calls, to read Courier's local domains) throw from `arm` until `disarm`.
 */
export async function reloadFailureSwitch(
  spool: Spool,
): Promise<{ readonly nodeArgs: readonly string[]; readonly arm: () => Promise<void>; readonly disarm: () => Promise<void> }> {
  const flag = path.join(spool.root, 'throw-now');
  const preload = path.join(spool.root, 'hostname-throws.js');
  await fs.writeFile(
    preload,
    `const fs = require('fs'); const os = require('os'); const real = os.hostname;\n` +
      `os.hostname = () => { if (fs.existsSync(${JSON.stringify(flag)})) throw new Error('hostname injected failure'); return real(); };\n`,
  );
  return { nodeArgs: ['--require', preload], arm: () => fs.writeFile(flag, ''), disarm: () => fs.rm(flag) };
}


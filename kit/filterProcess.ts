/**
 * The compiled filter started the way courierfilter starts a filter: stdin a pipe (its end is the
 * stop signal), fd 3 a pipe (its close is the ready signal), cwd /usr, an almost empty environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FILTER_MAIN } from './repo';
import type { Spool } from './spool';

/** What courierfilter's environment holds: Courier's courierd settings are irrelevant here. */
const COURIER_PATH = '/usr/bin:/bin:/usr/bin:/usr/local/bin';

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

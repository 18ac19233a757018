/**
 * jest glue for the filter's integration tests, on top of the kit (kit/: the fake spool, the
 * filter process, the submit client).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../filter/log';
import { startFilter, stopQuietly, type FilterProcess, type StartOptions } from '../../../kit/filterProcess';
import { createSpool, queueMessage, removeSpool, type Spool, type SpoolOptions } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';

/** Submits a message with this control file and returns its first line afterwards: the sender record. */
export async function senderAfterSubmit(spool: Spool, filter: FilterProcess, controlFile: string | Buffer): Promise<string> {
  const message = await queueMessage(spool, [controlFile]);
  const answer = await submit(filter.socketPath, message);
  if (answer !== '200 Ok\n') throw new Error(`the filter answered ${JSON.stringify(answer)}, not 200 Ok`);
  return (await fs.readFile(message.controlFiles[0] as string, 'utf8')).split('\n')[0] ?? '';
}

export interface FilterPerSuite {
  /** The suite's spool; exists from its beforeAll on. */
  readonly spool: Spool;
  /** The filter started on it, ready. */
  readonly filter: FilterProcess;
}

/**
 * One spool and one running filter for the enclosing describe block (or file), removed after
 * it. `prepare` runs on the spool before the filter starts (Courier files the test needs).
 */
export function filterPerSuite(options: SpoolOptions = {}, prepare?: (spool: Spool) => Promise<void>): FilterPerSuite {
  let spool: Spool | undefined;
  let filter: FilterProcess | undefined;
  beforeAll(async () => {
    spool = await createSpool(options);
    await prepare?.(spool);
    filter = startFilter(spool);
    await filter.ready;
  });
  afterAll(async () => {
    await stopQuietly(filter);
    if (spool !== undefined) await removeSpool(spool);
  });
  const present = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`filterPerSuite: the ${what} exists only inside the suite`);
    return value;
  };
  return {
    get spool() {
      return present(spool, 'spool');
    },
    get filter() {
      return present(filter, 'filter');
    },
  };
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


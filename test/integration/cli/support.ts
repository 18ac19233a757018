import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { PERL_SRS, requirePerlSrs } from '../../support/perlSrs';

/** The compiled CLIs, as production runs them (`npm test` builds first). */
export const DIST_CLI = path.resolve(__dirname, '../../../dist/cli');
export const SRSCTL = path.join(DIST_CLI, 'srsctl.js');
export const SRS_FORWARDER = path.join(DIST_CLI, 'srs-forwarder.js');
export const SRS_REVERSER = path.join(DIST_CLI, 'srs-reverser.js');

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin through a pipe. */
  readonly input?: Buffer | string;
  /** Opened as the child's stdin, as Courier hands a pipe command the queued message file. */
  readonly stdinFile?: string;
}

export function requireFile(file: string, hint: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
}

export function runNode(script: string, args: readonly string[], options: RunOptions = {}): Run {
  requireFile(script, 'build first with `npx tsc -p tsconfig.json` (npm test does)');
  return runProgram(process.execPath, [script, ...args], options);
}

export function runPerlSrs(args: readonly string[], options: RunOptions = {}): Run {
  requirePerlSrs();
  return runProgram(PERL_SRS, args, options);
}

export function runProgram(program: string, args: readonly string[], options: RunOptions = {}): Run {
  const stdin = options.stdinFile === undefined ? 'pipe' : openSync(options.stdinFile, 'r');
  try {
    const env = options.env ?? process.env;
    return finish(spawnSync(program, args, { encoding: 'utf8', env, input: options.input, stdio: [stdin, 'pipe', 'pipe'], timeout: 20_000 }));
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
  }
}

function finish(result: SpawnSyncReturns<string>): Run {
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Days since the epoch: SRS timestamps change at UTC midnight. */
export function today(): number {
  return Math.floor(Date.now() / 86_400_000);
}

/**
 * Runs `both` again when UTC midnight fell while it ran: Perl's clock cannot be pinned from
 * outside, so a comparison of SRS addresses made by two programs needs both on the same day.
 */
export function onOneDay<T>(both: () => T): T {
  for (;;) {
    const day = today();
    const result = both();
    if (today() === day) return result;
  }
}

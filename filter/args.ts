import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_POLICY_PATH } from '../lib/config';
import { fail, ok, type Result } from '../lib/result';
import { FILTER_NAME } from './control';

export interface FilterArgs {
  readonly config: string;
  /** The active name: the socket is `allfilters/<name>`. */
  readonly name: string;
  readonly allowRoot: boolean;
  readonly connectionTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly maxConcurrent: number;
  /** Connections open at once, at most (the open-file limit may lower it: connectionCap). */
  readonly maxConnections: number;
}

/** The arguments, or every problem with them in one line. */
export type FilterArgsResult = Result<FilterArgs, string>;

export const USAGE =
  'usage: srsfilter [--config FILE] [--name NAME] [--allow-root] ' +
  '[--connection-timeout-ms N] [--drain-timeout-ms N] [--max-concurrent N] [--max-connections N]';

const OPTIONS = {
  config: { type: 'string', default: DEFAULT_POLICY_PATH },
  name: { type: 'string' },
  'allow-root': { type: 'boolean', default: false },
  'connection-timeout-ms': { type: 'string', default: '30000' },
  'drain-timeout-ms': { type: 'string', default: '10000' },
  'max-concurrent': { type: 'string', default: '64' },
  // Courier's esmtpd runs 40 sessions by default (MAXDAEMONS), each submit one connection.
  'max-connections': { type: 'string', default: '1000' },
} as const;

/**
 * `scriptPath` is process.argv[1]. courierfilter runs `<sysconfdir>/filters/active/<name>`, so
 * its basename is the name the socket must have; started as main.js the name is srsfilter.
 */
export function parseFilterArgs(argv: readonly string[], scriptPath: string): FilterArgsResult {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    return fail((error as Error).message);
  }
  const problems: string[] = [];
  const positiveInteger = (flag: 'connection-timeout-ms' | 'drain-timeout-ms' | 'max-concurrent' | 'max-connections'): number => {
    const value = Number(values[flag]);
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`--${flag} must be a positive whole number`);
    return value;
  };
  const script = path.basename(scriptPath);
  const args: FilterArgs = {
    config: values.config,
    name: values.name ?? (script === 'main.js' || script === '' ? FILTER_NAME : script),
    allowRoot: values['allow-root'],
    connectionTimeoutMs: positiveInteger('connection-timeout-ms'),
    drainTimeoutMs: positiveInteger('drain-timeout-ms'),
    maxConcurrent: positiveInteger('max-concurrent'),
    maxConnections: positiveInteger('max-connections'),
  };
  return problems.length === 0 ? ok(args) : fail(problems.join('; '));
}

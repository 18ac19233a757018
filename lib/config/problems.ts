import type { Result } from '../result';

/** Stable codes: srsctl check maps them to fixes, tests assert them. */
export type ConfigProblemCode =
  | 'yaml-syntax' // the file is no valid YAML
  | 'yaml-alias' // a YAML anchor (&name) or alias (*name): refused, never expanded
  | 'unknown-key' // a key the policy does not know (typo protection)
  | 'missing-key' // a required key is absent
  | 'invalid-value' // a value of the wrong type, range or form, or a cross-field conflict
  | 'unreadable' // the file cannot be read (absent, no permission, not a regular file)
  | 'insecure-permissions' // the secrets file can be changed or read by too many users, or who may is unknown
  | 'no-secrets' // the secrets file holds no secret line
  | 'unexpected-error'; // loading failed in a way none of the above describes

/** One thing wrong with the configuration, located as precisely as the file allows. */
export interface ConfigProblem {
  readonly code: ConfigProblemCode;
  readonly file: string;
  /** 1-based; null when the problem concerns the whole file (e.g. it cannot be read). */
  readonly line: number | null;
  readonly column: number | null;
  /** The policy key, e.g. 'hash-minimum', 'exclude-senders[2]', 'courier.sysconfdir'; '' for the whole document. */
  readonly key: string;
  readonly message: string;
}

/** Every problem is reported, not only the first, so one run of srsctl check shows them all. */
export type ConfigResult<T> = Result<T, readonly ConfigProblem[]>;

/** One line per problem, `file:line:column: key: message`, the form editors and compilers use. */
export function formatProblem(problem: ConfigProblem): string {
  const where =
    problem.line === null ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  const key = problem.key === '' ? '' : `${problem.key}: `;
  return `${where}: ${key}${problem.message}`;
}

/**
 * An exception nobody foresaw, as a problem: loading the configuration answers, it never throws.
 * Only the error's own message is used: an arbitrary thrown value may not even convert to a string.
 */
export function unexpectedProblem(file: string, error: unknown): ConfigProblem {
  const detail = (error as { message?: unknown } | null | undefined)?.message;
  const message = `cannot load: ${typeof detail === 'string' ? detail : 'an unexpected error'}`;
  return { code: 'unexpected-error', file, line: null, column: null, key: '', message };
}

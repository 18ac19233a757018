/**
 * What an operation that can fail in an expected way answers: its value, or why not. Failures
 * are values rather than exceptions, so the type makes every caller look at `ok` before it may
 * touch `value`, and each module's `error` type says which failures it promises.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** The failure most modules have: a code from the module's own stable list, and one sentence for people. */
export interface Failure<Code extends string> {
  readonly code: Code;
  readonly message: string;
}

export function ok(): Result<void, never>;
export function ok<T>(value: T): Result<T, never>;
export function ok<T>(value?: T): Result<T | undefined, never> {
  return { ok: true, value };
}

export function fail<E>(error: E): Result<never, E> {
  return { ok: false, error };
}

/**
 * One place for how hard the fuzz tests push. CI runs a bounded sample with a fixed seed, so a
 * failure reproduces; `SRSFILTER_FUZZ_RUNS=1000000` is the long mode (and SRSFILTER_FUZZ_SEED
 * explores other corners).
 */
const DEFAULT_RUNS = 2000;
const DEFAULT_SEED = 20_240_601;

function positiveIntegerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${text}`);
  return value;
}

export const FUZZ_RUNS = positiveIntegerFromEnv('SRSFILTER_FUZZ_RUNS', DEFAULT_RUNS);
export const FUZZ_SEED = positiveIntegerFromEnv('SRSFILTER_FUZZ_SEED', DEFAULT_SEED);

/** fast-check parameters for a property; `share` scales the runs of an expensive one down. */
export function fuzzParameters(share = 1): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(FUZZ_RUNS * share)) };
}

/** jest's per-test timeout: generous per case in long mode, never under a minute. */
export function fuzzTimeoutMs(share = 1): number {
  return Math.max(60_000, Math.round(FUZZ_RUNS * share * 5));
}

/**
 * Where the kit finds the checkout's files. Found upwards from here, since the kit runs both from
 * source (under jest) and compiled in dist/ (benchmarks).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = findRepoRoot(__dirname);
/** The compiled filter: tests and benchmarks run what production runs. */
export const FILTER_MAIN = path.join(REPO_ROOT, 'dist/filter/main.js');
/** Files a real Courier wrote (test/fixtures/courier/README.md). */
export const COURIER_FIXTURES = path.join(REPO_ROOT, 'test/fixtures/courier');
export const FAKE_COURIER_CONFIG = path.join(REPO_ROOT, 'kit/courier-config');

/** Synchronous so that test tables can be built from fixtures. */
export function readFixture(name: string): Buffer {
  return readFileSync(path.join(COURIER_FIXTURES, name));
}

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'kit'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no srsfilter repository above ${start}`);
  }
}

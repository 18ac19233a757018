import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The user running the tests stands in for the mail user, so the permission rule needs no courier-config. */
export const me = (option: '-un' | '-gn'): string => execFileSync('id', [option], { encoding: 'utf8' }).trim();

/** A fresh directory for each test, removed after it; `dir()` is the current one. */
export function tempDirPerTest(prefix: string): { readonly dir: () => string; readonly write: (name: string, content: string, mode?: number) => string } {
  let current = '';
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(current, { recursive: true, force: true }));
  return {
    dir: () => current,
    /** Writes `name` in the test's directory with `mode` (policies and secrets files care), and returns its path. */
    write(name, content, mode = 0o640) {
      const path = join(current, name);
      writeFileSync(path, content);
      chmodSync(path, mode);
      return path;
    },
  };
}

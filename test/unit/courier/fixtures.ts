import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../../fixtures/courier');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** Every control file the lab captured, before and after the probe's rewrite. */
export const CONTROL_FILE_NAMES = readdirSync(FIXTURES).filter((name) => name.endsWith('.ctl'));

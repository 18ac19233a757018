import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { ok } from '../result';
import { parsePolicy } from './parsePolicy';
import type { ConfigResult } from './problems';

/** Where the default policy lies, relative to the app: the checkout, or the package's app directory. */
const SHIPPED_POLICY = join('config', 'srsfilter.yaml');

/**
 * config/srsfilter.yaml of the app this code is part of: the first directory above this module
 * that holds it (the checkout from lib/ or dist/lib/, the app directory of the package).
 */
export function findShippedPolicy(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, SHIPPED_POLICY);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The shipped policy with `srsDomain` as its srs-domain, comments and layout kept: what the
 * package installs. Checked as the filter will read it, so a bad domain is refused here.
 */
export async function renderShippedPolicy(path: string, srsDomain: string): Promise<ConfigResult<string>> {
  const document = parseDocument(await readFile(path, 'utf8'));
  document.set('srs-domain', srsDomain);
  const text = String(document);
  const checked = parsePolicy(text, path);
  return checked.ok ? ok(text) : checked;
}

// The installed policy (/etc/courier/srsfilter.yaml), read independently of srsfilter's own
// loader, and edited the way an admin would: the YAML document with one key changed.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, parseDocument } from 'yaml';
import { restartFilter } from './courier';
import { POLICY_FILE } from './world';

export interface InstalledPolicy {
  readonly srsDomain: string;
  readonly secretsFile: string;
}

export function readInstalledPolicy(): InstalledPolicy {
  const policy = parse(readFileSync(POLICY_FILE, 'utf8')) as Record<string, unknown>;
  const srsDomain = policy['srs-domain'];
  const secretsFile = policy['secrets-file'];
  if (typeof srsDomain !== 'string' || typeof secretsFile !== 'string') {
    throw new Error(`${POLICY_FILE} lacks srs-domain or secrets-file (install.sh writes both)`);
  }
  return { srsDomain, secretsFile };
}

/** The policy file's bytes with `settings` set; every other line (comments too) kept. */
export function policyWith(original: Buffer, settings: Readonly<Record<string, unknown>>): string {
  const doc = parseDocument(original.toString('utf8'));
  for (const [key, value] of Object.entries(settings)) doc.set(key, value);
  return String(doc);
}

/**
 * Runs `body` with `settings` in the policy and a filter restarted on it; afterwards the
 * original file is back and the filter restarted again (also when body killed it).
 */
export async function withPolicySettings<T>(settings: Readonly<Record<string, unknown>>, body: () => Promise<T>): Promise<T> {
  const original = readFileSync(POLICY_FILE);
  writeFileSync(POLICY_FILE, policyWith(original, settings));
  try {
    await restartFilter();
    return await body();
  } finally {
    writeFileSync(POLICY_FILE, original);
    await restartFilter();
  }
}

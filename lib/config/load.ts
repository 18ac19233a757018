import { readFile } from 'node:fs/promises';
import { errnoCode } from '../errno';
import type { SrsInit } from '../srs';
import { parsePolicy } from './parsePolicy';
import type { Policy } from './policy';
import { unexpectedProblem, type ConfigResult } from './problems';
import { readSecretsFile } from './secrets';

/** Where courierfilter's srsfilter and srsctl look unless --config says otherwise. */
export const DEFAULT_POLICY_PATH = '/etc/courier/srsfilter.yaml';

export async function loadPolicy(path: string): Promise<ConfigResult<Policy>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errnoCode(error) ?? String(error);
    const message = code === 'ENOENT' ? 'no such file' : `cannot read the policy: ${code}`;
    return { ok: false, problems: [{ code: 'unreadable', file: path, line: null, column: null, key: '', message }] };
  }
  return parsePolicy(text, path);
}

/** What the filter (and srsctl without --secret) runs on: the policy and the secrets it names. */
export interface FilterConfig {
  readonly policy: Policy;
  /** Read the postsrsd way (line endings stripped); the first signs. */
  readonly secrets: readonly Buffer[];
}

/**
 * Never rejects: the filter loads this at start and on every reload, and whatever is wrong with
 * the files must come back as problems so the running policy stays in place.
 */
export async function loadFilterConfig(
  path: string,
  options: { readonly checkPermissions: boolean },
): Promise<ConfigResult<FilterConfig>> {
  try {
    return await loadPolicyAndSecrets(path, options);
  } catch (error) {
    return { ok: false, problems: [unexpectedProblem(path, error)] };
  }
}

async function loadPolicyAndSecrets(path: string, options: { readonly checkPermissions: boolean }): Promise<ConfigResult<FilterConfig>> {
  const loaded = await loadPolicy(path);
  if (!loaded.ok) return loaded;
  const policy = loaded.value;
  const read = await readSecretsFile(policy.secretsFile, 'policy', {
    checkPermissions: options.checkPermissions,
    ...(policy.courier.mailgroup === undefined ? {} : { mailGroup: policy.courier.mailgroup }),
  });
  if (!read.ok) return { ok: false, problems: [read.problem] };
  return { ok: true, value: { policy, secrets: read.secrets } };
}

/** The SRS settings of a policy, for createSrs; `now` stays injectable by the caller. */
export function srsInitOf(policy: Policy, secrets: readonly Buffer[]): SrsInit {
  return {
    secrets,
    hashLength: policy.hashLength,
    hashMin: policy.hashMinimum,
    maxAgeDays: policy.maxAgeDays,
    separator: policy.separator,
    hashAlphabet: policy.hashAlphabet,
  };
}

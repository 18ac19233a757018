import { readFile } from 'node:fs/promises';
import { resolveCourierPaths, resolveMailIdentity } from '../courier/host';
import { errnoCode } from '../errno';
import { fail, ok } from '../result';
import type { SrsInit } from '../srs';
import { parsePolicy } from './parsePolicy';
import type { Policy } from './policy';
import { unexpectedProblem, type ConfigResult } from './problems';
import { readSecretsFile, type SecretsResult } from './secrets';

/** Where courierfilter's srsfilter and srsctl look unless --config says otherwise. */
export const DEFAULT_POLICY_PATH = '/etc/courier/srsfilter.yaml';

export async function loadPolicy(path: string): Promise<ConfigResult<Policy>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errnoCode(error) ?? String(error);
    const message = code === 'ENOENT' ? 'no such file' : `cannot read the policy: ${code}`;
    return fail([{ code: 'unreadable', file: path, line: null, column: null, key: '', message }]);
  }
  return parsePolicy(text, path);
}

/** What the filter (and srsctl without --secret) runs on: the policy and the secrets it names. */
export interface FilterConfig {
  readonly policy: Policy;
  /** Read the postsrsd way (line endings stripped); the first signs. */
  readonly secrets: readonly Buffer[];
}

export interface LoadFilterConfigOptions {
  /** Apply the secrets file permission rule (secretsPermissions.ts), as the filter does. */
  readonly checkPermissions: boolean;
}

/**
 * Never rejects: the filter loads this at start and on every reload, and whatever is wrong with
 * the files must come back as problems so the running policy stays in place.
 */
export async function loadFilterConfig(
  path: string,
  options: LoadFilterConfigOptions,
): Promise<ConfigResult<FilterConfig>> {
  try {
    return await loadPolicyAndSecrets(path, options);
  } catch (error) {
    return fail([unexpectedProblem(path, error)]);
  }
}

async function loadPolicyAndSecrets(path: string, options: LoadFilterConfigOptions): Promise<ConfigResult<FilterConfig>> {
  const loaded = await loadPolicy(path);
  if (!loaded.ok) return loaded;
  const policy = loaded.value;
  const read = options.checkPermissions
    ? await readSecretsOfMailUser(policy)
    : await readSecretsFile(policy.secretsFile, 'policy', { checkPermissions: false });
  if (!read.ok) return fail([read.error]);
  return ok({ policy, secrets: read.value });
}

/** The permission rule needs the mail user and group as numbers: courier-config names them, NSS numbers them. */
async function readSecretsOfMailUser(policy: Policy): Promise<SecretsResult> {
  const courier = await resolveCourierPaths(policy.courier, { needs: ['mailuser', 'mailgroup'] });
  const identity = courier.ok ? await resolveMailIdentity(courier.value.mailuser, courier.value.mailgroup) : courier;
  if (!identity.ok) {
    const message = `cannot tell who may read the secrets file: ${identity.error.message}`;
    return fail({ code: 'insecure-permissions', file: policy.secretsFile, line: null, column: null, key: 'secrets-file', message });
  }
  return readSecretsFile(policy.secretsFile, 'policy', { checkPermissions: true, mail: identity.value });
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

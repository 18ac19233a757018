import { formatProblem, loadFilterConfig, srsInitOf, type Policy } from '../config';
import {
  readAcceptMailFor,
  readLocalDomains,
  resolveCourierPaths,
  type AcceptMailFor,
  type CourierPaths,
  type LocalDomains,
} from '../courier/host';
import { fail, ok, type Result } from '../result';
import { createSrs, type Srs } from '../srs';

/** Failures are printable lines, `file:line:column: key: message` where the file allows. */
export type Loaded<T> = Result<T, readonly string[]>;

/**
 * What a secrets file with loose permissions does. 'refuse': it is a problem, as for the filter,
 * which must not sign with a secret others may have read. 'warn': it is used and reported, for
 * srsctl and the pipe aliases: the admin asking about a bounce, or a pipe alias delivering mail,
 * is better served by the answer plus a warning than by a refusal (`srsctl check` fails on it).
 */
export type SecretsPermissions = 'refuse' | 'warn';

export interface RuntimeOptions {
  readonly permissions: SecretsPermissions;
}

/** The policy and the Srs its secrets and settings make. */
export interface PolicySrs {
  readonly policy: Policy;
  readonly srs: Srs;
  /** How many secrets verify (the first signs); logged instead of any secret. */
  readonly secretCount: number;
  /** Problems that did not stop the load (a loose secrets file under 'warn'). */
  readonly warnings: readonly string[];
}

/** What a decision reads from Courier's configuration. */
export interface CourierDomains {
  readonly courier: CourierPaths;
  /** Courier's local domains plus the policy's `local-domains`. */
  readonly localDomains: LocalDomains;
  /** Courier's esmtpacceptmailfor: domains it takes mail for, local or relayed as a backup MX. */
  readonly acceptMailFor: AcceptMailFor;
}

/** Everything a decision is made with: policy, SRS and Courier's domains. */
export interface DecisionRuntime extends PolicySrs, CourierDomains {}

/** The policy and its secrets, read as the filter reads them (line endings stripped). */
export async function loadPolicySrs(configPath: string, options: RuntimeOptions): Promise<Loaded<PolicySrs>> {
  const strict = await loadFilterConfig(configPath, { checkPermissions: true });
  const onlyPermissions =
    options.permissions === 'warn' && !strict.ok && strict.error.every((problem) => problem.code === 'insecure-permissions');
  const config = onlyPermissions ? await loadFilterConfig(configPath, { checkPermissions: false }) : strict;
  if (!config.ok) return fail(config.error.map(formatProblem));
  const warnings = strict.ok ? [] : strict.error.map(formatProblem);
  const { policy, secrets } = config.value;
  return ok({ policy, srs: createSrs(srsInitOf(policy, secrets)), secretCount: secrets.length, warnings });
}

/** Courier's paths and domains as the policy's `courier:` and `local-domains` keys amend them; problems name the part that failed. */
export async function loadCourierDomains(policy: Policy): Promise<Loaded<CourierDomains>> {
  const courier = await resolveCourierPaths(policy.courier);
  if (!courier.ok) return fail([`courier: ${courier.error.message}`]);
  const local = await readLocalDomains(courier.value, policy.localDomains);
  if (!local.ok) return fail([`local domains: ${local.error.message}`]);
  const accepted = await readAcceptMailFor(courier.value);
  if (!accepted.ok) return fail([`esmtpacceptmailfor: ${accepted.error.message}`]);
  return ok({ courier: courier.value, localDomains: local.value, acceptMailFor: accepted.value });
}

/** Policy → secrets → SRS → Courier's paths → local domains → esmtpacceptmailfor, checked as a whole. */
export async function loadDecisionRuntime(configPath: string, options: RuntimeOptions): Promise<Loaded<DecisionRuntime>> {
  const policySrs = await loadPolicySrs(configPath, options);
  if (!policySrs.ok) return policySrs;
  const domains = await loadCourierDomains(policySrs.value.policy);
  if (!domains.ok) return fail(domains.error.map((problem) => `${configPath}: ${problem}`));
  return ok({ ...policySrs.value, ...domains.value });
}

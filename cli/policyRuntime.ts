import { formatProblem, loadFilterConfig, srsInitOf, type Policy } from '../lib/config';
import { readAcceptMailFor, readLocalDomains, resolveCourierPaths, type AcceptMailFor, type LocalDomains } from '../lib/courier/host';
import { createSrs, type Srs } from '../lib/srs';

/** What srsctl and the migration commands run on when no secret is given on the command line. */
export interface PolicySrs {
  readonly policy: Policy;
  readonly srs: Srs;
  /** Problems worth telling the admin that do not stop the command, e.g. a world-readable secrets file. */
  readonly warnings: readonly string[];
}

/** Failures are printable lines, `file:line:column: key: message` where the file allows. */
export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The policy and its secrets, read as the filter reads them (line endings stripped). Unlike the
 * filter, a secrets file with loose permissions is used and only reported: the admin asking
 * `srsctl reverse` about a bounce, or a pipe alias delivering mail, is better served by the
 * answer plus a warning than by a refusal (`srsctl check` fails on it).
 */
export async function loadPolicySrs(configPath: string): Promise<Loaded<PolicySrs>> {
  const strict = await loadFilterConfig(configPath, { checkPermissions: true });
  const onlyPermissions = !strict.ok && strict.error.every((problem) => problem.code === 'insecure-permissions');
  const config = onlyPermissions ? await loadFilterConfig(configPath, { checkPermissions: false }) : strict;
  if (!config.ok) return { ok: false, problems: config.error.map(formatProblem) };
  const warnings = strict.ok ? [] : strict.error.map(formatProblem);
  const { policy, secrets } = config.value;
  return { ok: true, value: { policy, srs: createSrs(srsInitOf(policy, secrets)), warnings } };
}

/** The domains a decision reads from Courier's configuration. */
export interface CourierDomains {
  /** Courier's local domains plus the policy's `local-domains`. */
  readonly localDomains: LocalDomains;
  readonly acceptMailFor: AcceptMailFor;
}

/** The domains from Courier's configuration, as the filter sees them. */
export async function loadCourierDomains(policy: Policy): Promise<Loaded<CourierDomains>> {
  const paths = await resolveCourierPaths(policy.courier);
  if (!paths.ok) return { ok: false, problems: [paths.error.message] };
  const local = await readLocalDomains(paths.value, policy.localDomains);
  if (!local.ok) return { ok: false, problems: [local.error.message] };
  const accepted = await readAcceptMailFor(paths.value);
  if (!accepted.ok) return { ok: false, problems: [accepted.error.message] };
  return { ok: true, value: { localDomains: local.value, acceptMailFor: accepted.value } };
}

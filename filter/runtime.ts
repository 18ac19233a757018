import { formatProblem, loadFilterConfig, srsInitOf, type CourierOverrides, type Policy } from '../lib/config';
import { courierFiles, discoverCourierPaths } from '../lib/courier/paths';
import { readLocalDomains } from '../lib/courier/localDomains';
import type { CourierPaths, CourierPathsResult, LocalDomains } from '../lib/courier/types';
import { createSrs, type Srs } from '../lib/srs';

/**
 * Everything one message is decided with, loaded and checked as a whole before it is used.
 * A message keeps the snapshot it started with; SIGHUP swaps in a new one for later messages.
 */
export interface Runtime {
  readonly policy: Policy;
  readonly srs: Srs;
  readonly localDomains: LocalDomains;
  readonly courier: CourierPaths;
  /** `<localstatedir>/tmp`: every path submit sends lies inside it. */
  readonly queueDir: string;
  /** `<localstatedir>/allfilters`. */
  readonly socketDir: string;
  /** How many secrets verify (the first signs); logged instead of any secret. */
  readonly secretCount: number;
}

/** Problems are log-ready lines, `file:line:column: key: message` where the file allows. */
export type RuntimeResult =
  | { readonly ok: true; readonly runtime: Runtime }
  | { readonly ok: false; readonly problems: readonly string[] };

export async function loadRuntime(configPath: string): Promise<RuntimeResult> {
  const config = await loadFilterConfig(configPath, { checkPermissions: true });
  if (!config.ok) return { ok: false, problems: config.problems.map(formatProblem) };
  const { policy, secrets } = config.value;

  const courier = await resolveCourierPaths(policy.courier);
  if (!courier.ok) return { ok: false, problems: [`${configPath}: courier: ${courier.message}`] };
  const local = await readLocalDomains(courier.paths, policy.localDomains);
  if (!local.ok) return { ok: false, problems: [`${configPath}: local domains: ${local.message}`] };

  const files = courierFiles(courier.paths);
  return {
    ok: true,
    runtime: Object.freeze({
      policy,
      srs: createSrs(srsInitOf(policy, secrets)),
      localDomains: local.domains,
      courier: courier.paths,
      queueDir: files.queueTmpDir,
      socketDir: files.allFiltersSocketDir,
      secretCount: secrets.length,
    }),
  };
}

// Debian's courier-mta layout, for the fields the filter does not use when both directories
// are given in the policy and courier-config is not asked.
const DEBIAN_DEFAULTS: CourierPaths = {
  sysconfdir: '/etc/courier',
  localstatedir: '/var/lib/courier',
  libexecdir: '/usr/lib/courier',
  bindir: '/usr/bin',
  sbindir: '/usr/sbin',
  mailuser: 'courier',
  mailgroup: 'courier',
};

/**
 * courier-config's answer with the policy's `courier:` overrides on top; courier-config is not
 * run when the policy gives both directories.
 */
async function resolveCourierPaths(overrides: CourierOverrides): Promise<CourierPathsResult> {
  const complete = overrides.sysconfdir !== undefined && overrides.localstatedir !== undefined;
  const discovered = complete ? { ok: true as const, paths: DEBIAN_DEFAULTS } : await discoverCourierPaths();
  if (!discovered.ok) return discovered;
  return { ok: true, paths: { ...discovered.paths, ...overrides } };
}

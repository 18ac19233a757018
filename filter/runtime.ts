import { formatProblem, loadFilterConfig, srsInitOf, type Policy } from '../lib/config';
import {
  courierFiles,
  readAcceptMailFor,
  readLocalDomains,
  resolveCourierPaths,
  type AcceptMailFor,
  type CourierPaths,
  type LocalDomains,
} from '../lib/courier/host';
import { findQueueDirectory, type QueueDirectory } from '../lib/courier/queue';
import type { BoundedStore } from '../lib/store';
import { createSrs, splitAddress, type Srs } from '../lib/srs';
import { createFilterStores, type FilterStores } from './stores';

/**
 * Everything one message is decided with, loaded and checked as a whole before it is used.
 * A message keeps the snapshot it started with; SIGHUP swaps in a new one for later messages.
 */
export interface Runtime {
  readonly policy: Policy;
  readonly srs: Srs;
  readonly localDomains: LocalDomains;
  /** Courier's esmtpacceptmailfor: domains it takes mail for, local or relayed as a backup MX. */
  readonly acceptMailFor: AcceptMailFor;
  readonly courier: CourierPaths;
  /** `<localstatedir>/tmp`: every path submit sends lies inside it. */
  readonly queueDir: string;
  /** The same directory resolved: what every opened control file is checked against. */
  readonly queue: QueueDirectory;
  /** `<localstatedir>/allfilters`. */
  readonly socketDir: string;
  /** How many secrets verify (the first signs); logged instead of any secret. */
  readonly secretCount: number;
  /** The sender store (and shared bounce counter), bounded in time; null without one, or when it cannot be opened. */
  readonly store: BoundedStore | null;
  /** Why the policy's store is missing, logged as a warning: mail flows without it. */
  readonly storeProblem: string | null;
}

/** Problems are log-ready lines, `file:line:column: key: message` where the file allows. */
export type RuntimeResult =
  | { readonly ok: true; readonly runtime: Runtime }
  | { readonly ok: false; readonly problems: readonly string[] };

export async function loadRuntime(configPath: string, stores: FilterStores = createFilterStores()): Promise<RuntimeResult> {
  const config = await loadFilterConfig(configPath, { checkPermissions: true });
  if (!config.ok) return { ok: false, problems: config.error.map(formatProblem) };
  const { policy, secrets } = config.value;

  const courier = await resolveCourierPaths(policy.courier);
  if (!courier.ok) return { ok: false, problems: [`${configPath}: courier: ${courier.error.message}`] };
  const local = await readLocalDomains(courier.value, policy.localDomains);
  if (!local.ok) return { ok: false, problems: [`${configPath}: local domains: ${local.error.message}`] };
  const accepted = await readAcceptMailFor(courier.value);
  if (!accepted.ok) return { ok: false, problems: [`${configPath}: esmtpacceptmailfor: ${accepted.error.message}`] };

  const files = courierFiles(courier.value);
  const queue = await findQueueDirectory(files.queueTmpDir);
  if (!queue.ok) return { ok: false, problems: [`${configPath}: courier: queue directory ${queue.error.message}`] };
  const store = await stores.storeFor(policy, courier.value);
  return {
    ok: true,
    runtime: Object.freeze({
      policy,
      srs: createSrs(srsInitOf(policy, secrets)),
      localDomains: local.value,
      acceptMailFor: accepted.value,
      courier: courier.value,
      queueDir: files.queueTmpDir,
      queue: queue.value,
      socketDir: files.allFiltersSocketDir,
      secretCount: secrets.length,
      store: store.ok ? store.store : null,
      storeProblem: store.ok ? null : `${store.location}: ${store.message}`,
    }),
  };
}

/** What in a loaded configuration works, but not as the admin likely meant: logged as warnings. */
export function configurationWarnings(runtime: Runtime): string[] {
  const { policy, localDomains } = runtime;
  const warnings: string[] = [];
  if (!localDomains.isLocal(policy.srsDomain)) {
    warnings.push(`srs-domain ${policy.srsDomain} is not local to Courier: bounces to it will not reach the filter`);
  }
  if (runtime.storeProblem !== null) {
    warnings.push(`the sender store is not available (${runtime.storeProblem}): long senders are embedded, stored ones cannot be reversed (451)`);
  }
  const kept = policy.srsBounces;
  if (kept.mode === 'deliver' && !localDomains.isLocal(splitAddress(kept.address)?.domain ?? '')) {
    warnings.push(`srs-bounces ${kept.address} is not in a local domain: kept bounces would be relayed there`);
  }
  return warnings;
}

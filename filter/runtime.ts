import { courierFiles } from '../lib/courier/host';
import { findQueueDirectory, type QueueDirectory } from '../lib/courier/queue';
import type { BoundedStore } from '../lib/store';
import { fail, ok } from '../lib/result';
import { loadDecisionRuntime, type DecisionRuntime, type Loaded } from '../lib/runtime';
import { splitAddress } from '../lib/srs';
import { createFilterStores, type FilterStores } from './stores';

/**
 * Everything one message is decided with, loaded and checked as a whole before it is used.
 * A message keeps the snapshot it started with; SIGHUP swaps in a new one for later messages.
 */
export interface Runtime extends Omit<DecisionRuntime, 'warnings'> {
  /** `<localstatedir>/tmp`: every path submit sends lies inside it. */
  readonly queueDir: string;
  /** The same directory resolved: what every opened control file is checked against. */
  readonly queue: QueueDirectory;
  /** `<localstatedir>/allfilters`. */
  readonly socketDir: string;
  /** The sender store (and shared bounce counter), bounded in time; null without one, or when it cannot be opened. */
  readonly store: BoundedStore | null;
  /** Why the policy's store is missing, logged as a warning: mail flows without it. */
  readonly storeProblem: string | null;
}

/** Problems are log-ready lines, `file:line:column: key: message` where the file allows. */
export async function loadRuntime(configPath: string, stores: FilterStores = createFilterStores()): Promise<Loaded<Runtime>> {
  const loaded = await loadDecisionRuntime(configPath, { permissions: 'refuse' });
  if (!loaded.ok) return loaded;
  const { policy, srs, secretCount, courier, localDomains, acceptMailFor } = loaded.value;

  const files = courierFiles(courier);
  const queue = await findQueueDirectory(files.queueTmpDir);
  if (!queue.ok) return fail([`${configPath}: courier: queue directory ${queue.error.message}`]);
  const store = await stores.storeFor(policy, courier);
  return ok(
    Object.freeze({
      policy,
      srs,
      localDomains,
      acceptMailFor,
      courier,
      queueDir: files.queueTmpDir,
      queue: queue.value,
      socketDir: files.allFiltersSocketDir,
      secretCount,
      store: store.ok ? store.value : null,
      storeProblem: store.ok ? null : `${store.error.location}: ${store.error.message}`,
    }),
  );
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

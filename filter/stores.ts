import { formatStoreLocation, type Policy } from '../lib/config';
import type { CourierPaths } from '../lib/courier/host';
import { usesStore } from '../lib/policy';
import { fail, ok } from '../lib/result';
import { boundStore, openStore, storeLocation, type BoundedStore, type PolicyStore, type StoreErrorCount } from '../lib/store';

/** How long a message waits for the store before it takes its fallback (stateless form, or 451). */
export const STORE_TIMEOUT_MS = 200;
/** A store a reload stopped using is closed after this, so messages still using it finish. */
const RETIRE_AFTER_MS = 60_000;

/** What the filter's stats (and srsctl status) report about the store. */
export interface StoreStatus extends StoreErrorCount {
  readonly location: string;
}

/**
 * The stores of the filter process, one per location, kept across reloads: a reload that keeps
 * envelope-database keeps its connection (and the bounce counts go on in it).
 */
export interface FilterStores {
  /** The policy's store; not ok when an embedded store cannot be opened (then the filter runs without it). */
  storeFor(policy: Policy, courier: CourierPaths): Promise<PolicyStore>;
  /** Closes, after a grace period, every store but this one. */
  keepOnly(store: BoundedStore | null): void;
}

export function createFilterStores(): FilterStores {
  const open = new Map<string, Promise<BoundedStore>>();
  // Stores a reload stopped using, until they are closed. A reload back to one of them takes it
  // up again: a second handle on the same LMDB file, or on the same Redis, is never opened
  // beside one about to be closed.
  const retiring = new Map<string, { readonly opening: Promise<BoundedStore>; readonly timer: NodeJS.Timeout }>();
  return {
    async storeFor(policy, courier) {
      if (!usesStore(policy)) return ok(null);
      const found = await storeLocation(policy.envelopeDatabase, async () => ok(courier.localstatedir));
      if (!found.ok) return found;
      const location = found.value;
      const name = formatStoreLocation(location);
      const retired = retiring.get(name);
      if (retired !== undefined) {
        clearTimeout(retired.timer);
        retiring.delete(name);
        open.set(name, retired.opening);
      }
      let opening = open.get(name);
      if (opening === undefined) {
        opening = openStore(location).then((store) => boundStore(store, STORE_TIMEOUT_MS));
        open.set(name, opening);
      }
      try {
        return ok(await opening);
      } catch (error) {
        open.delete(name);
        return fail({ location: name, message: (error as Error).message });
      }
    },
    keepOnly(kept) {
      for (const [name, opening] of open) {
        if (name === kept?.location) continue;
        open.delete(name);
        const close = (): void => {
          retiring.delete(name);
          void opening.then((store) => store.close()).catch(() => undefined);
        };
        retiring.set(name, { opening, timer: setTimeout(close, RETIRE_AFTER_MS).unref() });
      }
    },
  };
}

export function storeStatus(store: BoundedStore | null): StoreStatus | null {
  return store === null ? null : { location: store.location, ...store.failures() };
}

import { stat } from 'node:fs/promises';
import { formatStoreLocation, type Policy } from '../../lib/config';
import { resolveCourierPaths } from '../../lib/courier/paths';
import { usesStore } from '../../lib/policy';
import { boundStore, defaultStoreLocation, openStore } from '../../lib/store';

export type StoreFacts = { readonly location: string } & (
  | { readonly state: 'reachable'; readonly entries: number }
  | { readonly state: 'not-created' }
  | { readonly state: 'unreachable'; readonly message: string }
);

const CHECK_TIMEOUT_MS = 2000;

/** Opens the policy's store and counts its entries; an embedded file that is not there is not created by a check. */
export async function gatherStore(policy: Policy): Promise<StoreFacts | undefined> {
  if (!usesStore(policy)) return undefined;
  let location = policy.envelopeDatabase;
  if (location === null) {
    const paths = await resolveCourierPaths(policy.courier);
    if (!paths.ok) return { location: 'the embedded store', state: 'unreachable', message: paths.message };
    location = defaultStoreLocation(paths.paths.localstatedir);
  }
  const name = formatStoreLocation(location);
  if (location.kind === 'lmdb' && !(await exists(location.path))) return { location: name, state: 'not-created' };
  try {
    const store = boundStore(await openStore(location), CHECK_TIMEOUT_MS);
    try {
      return { location: name, state: 'reachable', entries: await store.count() };
    } finally {
      await store.close();
    }
  } catch (error) {
    return { location: name, state: 'unreachable', message: (error as Error).message };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

import { stat } from 'node:fs/promises';
import { formatStoreLocation, type Policy } from '../../lib/config';
import { usesStore } from '../../lib/policy';
import { boundStore, openStore } from '../../lib/store';
import { CLI_STORE_TIMEOUT_MS, policyStoreLocation } from '../srsSetup/senderStore';

export type StoreFacts = { readonly location: string } & (
  | { readonly state: 'reachable'; readonly entries: number }
  | { readonly state: 'not-created' }
  | { readonly state: 'unreachable'; readonly message: string }
);

/** Opens the policy's store and counts its entries; an embedded file that is not there is not created by a check. */
export async function gatherStore(policy: Policy): Promise<StoreFacts | undefined> {
  if (!usesStore(policy)) return undefined;
  const found = await policyStoreLocation(policy);
  if (!found.ok) return { location: found.error.location, state: 'unreachable', message: found.error.message };
  const location = found.value;
  const name = formatStoreLocation(location);
  if (location.kind === 'lmdb' && !(await exists(location.path))) return { location: name, state: 'not-created' };
  try {
    const store = boundStore(await openStore(location), CLI_STORE_TIMEOUT_MS);
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

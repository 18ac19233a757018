import { formatStoreLocation, type Policy, type StoreLocation } from '../../lib/config';
import { resolveCourierPaths } from '../../lib/courier/host';
import { forwardSender, lookUpSender, storeSender, usesStore } from '../../lib/policy';
import { fail, ok, type Result } from '../../lib/result';
import { boundStore, openStore, storeLocation, type BoundedStore, type PolicyStore, type StoreUnavailable } from '../../lib/store';
import { storedSenderKeyIn, type Srs } from '../../lib/srs';
import type { AddressResult } from '../io/addressResults';

/** An admin at a terminal can wait longer than a message can. */
export const CLI_STORE_TIMEOUT_MS = 2000;

export type PolicyStoreLocation = Result<StoreLocation, StoreUnavailable>;

/** Where the filter keeps senders with this policy (lib/store's rule), Courier's paths asked of courier-config when needed. */
export async function policyStoreLocation(policy: Policy): Promise<PolicyStoreLocation> {
  return storeLocation(policy.envelopeDatabase, async () => {
    const paths = await resolveCourierPaths(policy.courier);
    return paths.ok ? ok(paths.value.localstatedir) : fail({ location: 'the embedded store', message: paths.error.message });
  });
}

/** The store the filter uses with this policy (the same file or Redis), or null when the policy has none. */
export async function openPolicyStore(policy: Policy): Promise<PolicyStore> {
  if (!usesStore(policy)) return ok(null);
  const found = await policyStoreLocation(policy);
  if (!found.ok) return found;
  try {
    return ok(boundStore(await openStore(found.value), CLI_STORE_TIMEOUT_MS));
  } catch (error) {
    return fail({ location: formatStoreLocation(found.value), message: (error as Error).message });
  }
}

/**
 * Forwards as the filter does: under original-envelope auto/database the sender is stored
 * (so the address printed can be reversed); if the store fails, the stateless form, with a warning.
 */
export async function forwardWithStore(
  address: string,
  srs: Srs,
  policy: Policy,
  store: BoundedStore | null,
  warn: (message: string) => void,
): Promise<AddressResult> {
  const forwarded = forwardSender(address, srs, policy);
  if (!forwarded.ok) return forwarded;
  const { address: srsAddress, store: write } = forwarded.value;
  if (write === undefined) return ok(srsAddress);
  const failure = await storeSender(write, store);
  if (failure === null) return ok(srsAddress);
  warn(`${address}: not stored (${failure.message}): printing the stateless SRS address`);
  return ok(write.fallback);
}

/** Reverses, then looks up a stored-sender key as the filter does. */
export async function reverseWithStore(address: string, srs: Srs, store: BoundedStore | null): Promise<AddressResult> {
  const reversed = srs.reverse(address);
  if (!reversed.ok) return reversed;
  const key = storedSenderKeyIn(reversed.value);
  if (key === null) return reversed;
  const found = await lookUpSender(key, store);
  if (!found.ok) {
    const { code, message } = found.error;
    if (store === null) return fail({ code, message: `it carries the store key ${key}, but the sender store is not available` });
    return fail({ code, message: `the sender store cannot be read: ${message}` });
  }
  if (found.value !== null) return ok(found.value);
  return fail({ code: 'unknown-alias', message: `no stored sender under ${key} (never stored here, or expired)` });
}

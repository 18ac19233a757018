import { join } from 'node:path';
import type { StoreLocation } from '../config/envelopeDatabase';
import { ok, type Result } from '../result';
import type { BoundedStore } from './boundedStore';
import type { SenderStore } from './types';

/**
 * Where the filter keeps senders under a policy: its envelope-database, else the embedded file
 * under Courier's localstatedir. The localstatedir is asked for only in the second case, so a
 * policy that names its database needs no Courier paths.
 */
export async function storeLocation<E>(
  envelopeDatabase: StoreLocation | null,
  localstatedir: () => Promise<Result<string, E>>,
): Promise<Result<StoreLocation, E>> {
  if (envelopeDatabase !== null) return ok(envelopeDatabase);
  const dir = await localstatedir();
  return dir.ok ? ok({ kind: 'lmdb', path: join(dir.value, 'srsfilter', 'senders.lmdb') }) : dir;
}

/** Why the policy's store cannot be used: its location as shown to people, and what went wrong. */
export interface StoreUnavailable {
  readonly location: string;
  readonly message: string;
}

/** The policy's store (null when the policy has none), or why it cannot be opened. */
export type PolicyStore = Result<BoundedStore | null, StoreUnavailable>;

const HOUR_MS = 3_600_000;

/**
 * Opens the store; rejects with a StoreError only for an embedded store that cannot be opened
 * (Redis connects in the background). The client libraries load only here: a policy without a
 * store starts the filter and the commands without them.
 */
export async function openStore(location: StoreLocation, now: () => number = Date.now): Promise<SenderStore> {
  switch (location.kind) {
    case 'lmdb': {
      const { openLmdbStore } = await import('./lmdbStore');
      return openLmdbStore({ path: location.path, now, sweepEveryMs: HOUR_MS });
    }
    case 'redis':
    case 'redis-socket': {
      const { openRedisStore } = await import('./redisStore');
      return openRedisStore(location);
    }
  }
}


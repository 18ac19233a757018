import { join } from 'node:path';
import type { StoreLocation } from '../config/envelopeDatabase';
import { openLmdbStore } from './lmdbStore';
import { openRedisStore } from './redisStore';
import type { SenderStore } from './types';

/** The embedded store's file when `envelope-database` is unset. */
export function defaultStoreLocation(localstatedir: string): StoreLocation {
  return { kind: 'lmdb', path: join(localstatedir, 'srsfilter', 'senders.lmdb') };
}

const HOUR_MS = 3_600_000;

/** Opens the store; rejects with a StoreError only for an embedded store that cannot be opened (Redis connects in the background). */
export async function openStore(location: StoreLocation, now: () => number = Date.now): Promise<SenderStore> {
  switch (location.kind) {
    case 'lmdb':
      return openLmdbStore({ path: location.path, now, sweepEveryMs: HOUR_MS });
    case 'redis':
    case 'redis-socket':
      return openRedisStore(location);
  }
}


import { Redis, type RedisOptions } from 'ioredis';
import { fail, ok } from '../result';
import type { TakeResult } from './types';
import { formatStoreLocation, type StoreLocation } from '../config/envelopeDatabase';
import { StoreError, type SenderStore } from './types';

/** postsrsd 2 writes `PostSRSd/KEY@1`; using its prefix lets both share one Redis. */
const SENDER_PREFIX = 'PostSRSd/';
/** Bounce-cap counts are srsfilter's own; postsrsd has none. */
const BOUNCE_PREFIX = 'srsfilter/bounces/';
/** Reconnect delays grow to this: a Redis that comes back is used again within a second. */
const RECONNECT_MAX_MS = 1000;
/**
 * A count whose window ended meanwhile is gone; a plain DECR would bring it back as a negative
 * count without expiry, which would never leave.
 */
const DECREMENT_IF_EXISTS = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end return 0";
/** How long opening waits for the first connection; after it, the store opens disconnected and keeps trying. */
const FIRST_CONNECT_MS = 1000;

/**
 * A Redis store. Commands are not queued while disconnected: a message must not wait for a
 * Redis that is down, it gets the fallback at once (the caller bounds slow answers).
 */
export async function openRedisStore(location: Extract<StoreLocation, { kind: 'redis' | 'redis-socket' }>): Promise<SenderStore> {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_MS),
    lazyConnect: false,
  };
  const redis =
    location.kind === 'redis'
      ? new Redis({ ...options, host: location.host, port: location.port })
      : new Redis({ ...options, path: location.path });
  let lastError = 'not connected yet';
  // Without a listener ioredis prints every failed reconnect; the failures reach callers instead.
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });
  await firstConnection(redis);

  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    if (redis.status !== 'ready') throw new StoreError('store-unavailable', `Redis ${formatStoreLocation(location)} is not connected: ${lastError}`);
    try {
      return await command();
    } catch (error) {
      // A connection lost under the command is the store being away, not an error it answered.
      const code = redis.status === 'ready' ? 'store-failed' : 'store-unavailable';
      throw new StoreError(code, `Redis ${formatStoreLocation(location)}: ${(error as Error).message}`);
    }
  };

  return {
    location: formatStoreLocation(location),
    async put(key, sender, ttlSeconds) {
      await run(() => redis.setex(SENDER_PREFIX + key, ttlSeconds, sender));
    },
    async get(key) {
      const value = await run(() => redis.get(SENDER_PREFIX + key));
      // postsrsd treats an empty value as none.
      return value === null || value === '' ? null : value;
    },
    count: () => run(() => countKeys(redis, `${SENDER_PREFIX}*`)),
    take: (keys, limit, windowMs) => run(() => take(redis, keys, limit, windowMs)),
    async giveBack(keys) {
      await run(() => {
        const pipeline = redis.multi();
        for (const key of keys) pipeline.eval(DECREMENT_IF_EXISTS, 1, BOUNCE_PREFIX + key, 1);
        return pipeline.exec();
      });
    },
    async close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

function firstConnection(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, FIRST_CONNECT_MS);
    redis.once('ready', done);
  });
}

/**
 * Counts all keys at once (MULTI): each key's window starts with its first count (SET NX with
 * the window as expiry, then INCRBY). Over the limit, the counts are taken back at once, so a
 * refused message counts nothing; two hosts racing may both refuse, never both pass.
 */
async function take(redis: Redis, keys: readonly string[], limit: number, windowMs: number): Promise<TakeResult> {
  const wanted = new Map<string, number>();
  for (const key of keys) wanted.set(key, (wanted.get(key) ?? 0) + 1);
  const counting = redis.multi();
  for (const [key, times] of wanted) {
    counting.set(BOUNCE_PREFIX + key, 0, 'PX', windowMs, 'NX');
    counting.incrby(BOUNCE_PREFIX + key, times);
  }
  const results = (await counting.exec()) ?? [];
  const counts = [...wanted.keys()].map((key, index) => ({ key, count: Number(results[index * 2 + 1]?.[1]) }));
  const over = counts.find(({ count }) => !(count <= limit));
  if (over === undefined) return ok();
  const undo = redis.multi();
  for (const [key, times] of wanted) undo.eval(DECREMENT_IF_EXISTS, 1, BOUNCE_PREFIX + key, times);
  await undo.exec();
  return fail({ key: over.key });
}

/** SCAN, not KEYS: it never blocks a Redis other hosts are using. */
async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let count = 0;
  for await (const batch of redis.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) {
    count += batch.length;
  }
  return count;
}

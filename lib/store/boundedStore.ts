import { StoreError, type SenderStore } from './types';

/** Store failures seen so far: what srsctl status and the filter's stats report. */
export interface StoreErrorCount {
  readonly errors: number;
  /** The latest failure's code and message, or null. */
  readonly last: { readonly code: string; readonly message: string; readonly at: number } | null;
}

export interface BoundedStore extends SenderStore {
  readonly failures: () => StoreErrorCount;
}

/**
 * Gives every operation at most `timeoutMs`; a slower answer counts as a failure
 * (store-timeout) and the message goes on with its fallback. Counts every failure.
 * The operation itself is not cancelled: a late write simply lands.
 */
export function boundStore(store: SenderStore, timeoutMs: number, now: () => number = Date.now): BoundedStore {
  let errors = 0;
  let last: StoreErrorCount['last'] = null;

  const bounded = async <T>(operation: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError('store-timeout', `${store.location} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([operation(), deadline]);
    } catch (error) {
      const failure = error instanceof StoreError ? error : new StoreError('store-failed', `${store.location}: ${String(error)}`);
      errors += 1;
      last = { code: failure.code, message: failure.message, at: now() };
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    location: store.location,
    put: (key, sender, ttl) => bounded(() => store.put(key, sender, ttl)),
    get: (key) => bounded(() => store.get(key)),
    count: () => bounded(() => store.count()),
    take: (keys, limit, windowMs) => bounded(() => store.take(keys, limit, windowMs)),
    giveBack: (keys) => bounded(() => store.giveBack(keys)),
    close: () => store.close(),
    failures: () => ({ errors, last }),
  };
}

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
 * The operation itself is not cancelled: a late write simply lands, and a late bounce count
 * is given back (its message was answered 451 and took no reversal).
 */
export function boundStore(store: SenderStore, timeoutMs: number, now: () => number = Date.now): BoundedStore {
  let errors = 0;
  let last: StoreErrorCount['last'] = null;

  const bounded = async <T>(operation: () => Promise<T>, undoLate?: (late: T) => void): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          timedOut = true;
          reject(new StoreError('store-timeout', `${store.location} did not answer within ${timeoutMs} ms`));
        },
        timeoutMs,
      );
    });
    try {
      const running = operation();
      if (undoLate !== undefined) {
        running.then((late) => timedOut && undoLate(late)).catch(() => undefined);
      }
      return await Promise.race([running, deadline]);
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
    take: (keys, limit, windowMs) =>
      bounded(
        () => store.take(keys, limit, windowMs),
        (late) => {
          if (late.ok) store.giveBack(keys).catch(() => undefined);
        },
      ),
    giveBack: (keys) => bounded(() => store.giveBack(keys)),
    close: () => store.close(),
    failures: () => ({ errors, last }),
  };
}

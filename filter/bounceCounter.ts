import { fail, ok } from '../lib/result';
import type { ImmediateBounceCounter, TakeResult } from '../lib/store';

/**
 * Keys the memory counter holds at most. Only reversals that verified are counted, so filling
 * it takes that many distinct valid SRS addresses (each one a message we forwarded); keys are
 * digests of one size, so this bounds its memory.
 */
export const BOUNCE_COUNTER_CAPACITY = 100_000;

export interface MemoryBounceCounter extends ImmediateBounceCounter {
  /** Keys held now; never more than the capacity. */
  readonly size: number;
}

interface Entry {
  count: number;
  /** When the window of this key ends (ms since the epoch). */
  windowEnd: number;
}

/**
 * The counter of one filter process, least recently used first out, in two generations: keys
 * counted or refused lately are in `recent`; when it holds half the capacity it becomes `older`
 * and the previous `older` is dropped, so the counter never holds more than `capacity` keys
 * and every step is O(1). A key found in `older` moves back to `recent`.
 *
 * The trade-off: a dropped key starts again from zero. An address that is being abused is
 * refused again and again and so stays recent; pushing it out takes half the capacity of other
 * valid SRS addresses bounced in the meantime. Counts start from zero when the process starts
 * (not on reload: the counter is kept outside the reloaded runtime).
 */
export function createMemoryBounceCounter(capacity: number, now: () => number): MemoryBounceCounter {
  const half = Math.max(1, Math.floor(capacity / 2));
  let recent = new Map<string, Entry>();
  let older = new Map<string, Entry>();

  /** The key's entry, unless its window is over (then it is dropped). */
  const live = (key: string, at: number): Entry | undefined => {
    const entry = recent.get(key) ?? older.get(key);
    if (entry === undefined || entry.windowEnd > at) return entry;
    recent.delete(key);
    older.delete(key);
    return undefined;
  };
  const touch = (key: string, entry: Entry): void => {
    older.delete(key);
    recent.set(key, entry);
    if (recent.size < half) return;
    older = recent;
    recent = new Map();
  };

  const takeNow = (keys: readonly string[], limit: number, windowMs: number): TakeResult => {
    const at = now();
    const wanted = new Map<string, number>();
    for (const key of keys) wanted.set(key, (wanted.get(key) ?? 0) + 1);
    for (const [key, times] of wanted) {
      const entry = live(key, at);
      if ((entry?.count ?? 0) + times <= limit) continue;
      if (entry !== undefined) touch(key, entry);
      return fail({ key });
    }
    for (const [key, times] of wanted) {
      const entry = live(key, at) ?? { count: 0, windowEnd: at + windowMs };
      entry.count += times;
      touch(key, entry);
    }
    return ok();
  };

  return {
    get size() {
      return recent.size + older.size;
    },
    takeNow,
    take: (keys, limit, windowMs) => Promise.resolve(takeNow(keys, limit, windowMs)),
    giveBack(keys) {
      for (const key of keys) {
        const entry = recent.get(key) ?? older.get(key);
        if (entry === undefined) continue;
        entry.count -= 1;
        if (entry.count > 0) continue;
        recent.delete(key);
        older.delete(key);
      }
      return Promise.resolve();
    },
  };
}

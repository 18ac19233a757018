import type { Result } from '../result';

/** Stable codes: they appear in logs, srsctl output and stats. */
export type StoreErrorCode =
  | 'store-unavailable' // not connected, refused, or the file cannot be opened
  | 'store-timeout' // no answer within the time a message may wait
  | 'store-failed'; // the store answered with an error

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Where the reversals of each SRS address are counted: the filter's memory, or a store every
 * MX host shares. Asynchronous, as a shared store is.
 */
export interface BounceCounter {
  /**
   * Counts one reversal for each key (a key listed twice counts twice), all or none: none when
   * a key would pass `limit` within its window, and that key comes back. A key's window starts
   * with its first count and lasts `windowMs`; then it starts again from zero.
   */
  take(keys: readonly string[], limit: number, windowMs: number): Promise<TakeResult>;
  /** Takes back counts whose reversal did not happen (the message was not accepted). */
  giveBack(keys: readonly string[]): Promise<void>;
}

/** A counter that counts at once, without waiting: the filter's own, in its memory. */
export interface ImmediateBounceCounter extends BounceCounter {
  /** What take() resolves to, returned at once. */
  takeNow(keys: readonly string[], limit: number, windowMs: number): TakeResult;
}

/** Not counted: `key` would pass its limit. */
export interface OverCap {
  readonly key: string;
}

export type TakeResult = Result<void, OverCap>;

/**
 * Original senders under their keys (`KEY@1`), each with an expiry, shared by every process
 * (and, for Redis, every host) that uses the same store. Every method rejects with a StoreError.
 * The store also counts reversals for the bounce cap, so that every user of it counts together.
 */
export interface SenderStore extends BounceCounter {
  /** Where it is, e.g. `redis:127.0.0.1:6379` (for logs and srsctl check). */
  readonly location: string;
  /** Stores `sender` under `key` for `ttlSeconds`, replacing an earlier entry. Durable once resolved. */
  put(key: string, sender: string, ttlSeconds: number): Promise<void>;
  /** The sender under `key`, or null when there is none or it has expired. */
  get(key: string): Promise<string | null>;
  /** Stored senders now (expired ones not yet removed may be counted). */
  count(): Promise<number>;
  close(): Promise<void>;
}

import type { OnErrorRule } from '../lib/policy';
import type { Reply } from './reply';
import type { MessagePaths } from './request';

/**
 * What the server asks of whoever handles a message: the reply to its request, returned as
 * it is when the handler is done within the call (nothing to wait for but a blocking write),
 * else as a promise. The gate links the handler to the connection, which the server may
 * answer without it.
 */
export type MessageHandler = (paths: MessagePaths, gate: WriteGate) => Reply | Promise<Reply>;

/**
 * A handler's link to its connection, which the server may answer without it (timeout, stop).
 * Once it has, the handler must not begin to rewrite control files; and while it rewrites
 * them, the server gives no answer of its own.
 */
export interface WriteGate {
  /** Set once the connection was answered without the handler's reply. */
  preemption(): Preemption | undefined;
  /**
   * No other connection is waiting for an answer: whatever this message waits for, it holds up
   * nobody else (connections the kernel has queued but the server has not accepted yet excepted).
   */
  alone(): boolean;
  /**
   * Runs `report` right after the connection's answer is written, or at once if it already
   * was: writing a message's log line must not delay its answer.
   */
  afterAnswer(report: () => void): void;
  /**
   * Calls `write` at once unless the connection was already answered (then preemption() is
   * set), and gives back what it returned: its result, or the promise of it. From then until
   * the handler replies, a timeout or a stop waits up to `writeGraceMs`; after that the answer
   * is TEMPORARY_FAILURE whatever on-error says: Courier must not take a control file that may
   * be half-written.
   */
  write<T>(write: () => T): { readonly ran: true; readonly value: T } | { readonly ran: false };
}

/** How a connection was answered without its handler. */
export interface Preemption {
  readonly code: 'timeout' | 'stopping';
  /** On-error, or write-unfinished when a write was still under way after the grace time: the reply follows from it. */
  readonly rule: OnErrorRule | 'write-unfinished';
  /** For the log, e.g. `not processed within 30000 ms`. */
  readonly reason: string;
}

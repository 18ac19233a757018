import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import type { OnError } from '../lib/config';
import type { Limiter } from './limiter';
import { describeError, type Logger } from './log';
import { failureReply, onErrorRule } from './outcome';
import { badRequestReply, formatReply, type Reply } from './reply';
import { createRequestReader, type MessagePaths, type RequestLimits, type RequestReader } from './request';
import type { MessageHandler, Preemption, WriteGate } from './writeGate';

export interface ConnectionLimits extends RequestLimits {
  /** Every connection is answered within this time, whatever the client or the handler do. */
  readonly connectionTimeoutMs: number;
  /** After a timeout or a stop, how long an answer waits for a control-file write under way. */
  readonly writeGraceMs: number;
}

export interface ConnectionOptions {
  /** Courier's queue directory (`<localstatedir>/tmp`); every path must lie inside it. */
  readonly queueDir: () => string;
  readonly handle: MessageHandler;
  /** The policy's on-error: how a message is answered when the handler fails unexpectedly or runs out of time. */
  readonly onError: () => OnError;
  readonly limits: ConnectionLimits;
  readonly log: Logger;
}

/** What the connections of one server share. */
export interface ConnectionPool {
  readonly options: ConnectionOptions;
  /** Messages processed at once. */
  readonly limiter: Limiter;
  /** Until they close: drain waits for them, then answers those left. */
  readonly open: Set<Connection>;
  /** Open connections not answered yet (WriteGate.alone). */
  unanswered: number;
  /** How often the server checks the deadlines of the open connections (Connection.expireBy). */
  readonly sweepMs: number;
}

/**
 * reading: the request is arriving. processing: the request is complete and waits for the
 * handler or runs in it. writing: the handler has begun a control-file write; from then on
 * only the handler answers, or after writeGraceMs a TEMPORARY_FAILURE. answered: exactly one
 * reply was written (with the preemption, when it was not the handler's).
 */
type State =
  | { readonly name: 'reading'; readonly reader: RequestReader }
  | { readonly name: 'processing'; readonly firstControlFile: string }
  | { readonly name: 'writing'; readonly firstControlFile: string; graceTimer: NodeJS.Timeout | undefined }
  | { readonly name: 'answered'; readonly preemption: Preemption | undefined };

const ANSWERED_BY_HANDLER: State = { name: 'answered', preemption: undefined };

/** One client of the socket: one request, one reply, as WriteGate describes towards the handler. */
export class Connection implements WriteGate {
  private state: State;
  /**
   * performance.now() past which the server's sweep times the connection out. The sweep that
   * first sees it passed may come up to sweepMs later, so it lies that much before the
   * timeout: the answer never comes later than connectionTimeoutMs.
   */
  private readonly deadline: number;
  /** Counted in pool.unanswered until answered, or until the client is gone without an answer (a reset). */
  private counted = true;
  private reports: (() => void)[] = [];
  /** Resolves a drain's preempt() once answered. */
  private onAnswered: (() => void) | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly pool: ConnectionPool,
  ) {
    const { options } = pool;
    this.state = { name: 'reading', reader: createRequestReader(options.queueDir(), options.limits) };
    pool.open.add(this);
    pool.unanswered += 1;
    this.deadline = performance.now() + options.limits.connectionTimeoutMs - pool.sweepMs;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** Answers without the handler, as WriteGate describes; resolves once answered. */
  preempt(code: Preemption['code'], reason: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.state.name === 'answered') return resolve();
      this.onAnswered = resolve;
      this.giveUp(code, reason);
    });
  }

  /** Times the connection out if its deadline has passed by `now` (performance.now()). */
  expireBy(now: number): void {
    if (now < this.deadline) return;
    if (this.state.name === 'reading') this.answer(badRequestReply('timed out waiting for the request'));
    else this.giveUp('timeout', `not processed within ${this.pool.options.limits.connectionTimeoutMs} ms`);
  }

  preemption(): Preemption | undefined {
    return this.state.name === 'answered' ? this.state.preemption : undefined;
  }

  alone(): boolean {
    return this.pool.unanswered === 1;
  }

  afterAnswer(report: () => void): void {
    if (this.state.name === 'answered') report();
    else this.reports.push(report);
  }

  write<T>(write: () => T): { readonly ran: true; readonly value: T } | { readonly ran: false } {
    const { state } = this;
    if (state.name === 'answered') return { ran: false };
    if (state.name === 'processing') this.state = { name: 'writing', firstControlFile: state.firstControlFile, graceTimer: undefined };
    return { ran: true, value: write() };
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state.name !== 'reading') return;
    const request = this.state.reader.push(chunk);
    if (request.state === 'incomplete') return;
    this.socket.off('data', this.onData);
    this.socket.pause();
    if (request.state === 'invalid') {
      this.pool.options.log.warn(`bad request: ${request.code}: ${request.message}`);
      this.answer(badRequestReply(request.message));
      return;
    }
    this.state = { name: 'processing', firstControlFile: request.paths.controlFiles[0] ?? '' };
    this.runHandler(request.paths);
  };

  private readonly onEnd = (): void => {
    if (this.state.name === 'reading') this.answer(badRequestReply('request ended before the empty line'));
  };

  private readonly onError = (error: Error): void => {
    this.pool.options.log.debug(`connection error: ${error.message}`);
  };

  private readonly onClose = (): void => {
    this.uncount();
    this.pool.open.delete(this);
  };

  /**
   * A handler that is done within its call is answered in this same turn of the event loop
   * (with a free slot): at Courier's pace, one message at a time, each hop to a later turn
   * is CPU spent for nothing.
   */
  private runHandler(paths: MessagePaths): void {
    const { options, limiter } = this.pool;
    let reply: Reply | null | Promise<Reply | null>;
    try {
      reply = limiter.run(() => (this.state.name === 'answered' ? null : options.handle(paths, this)));
    } catch (error) {
      this.handlerFailed(paths, error);
      return;
    }
    if (types.isPromise(reply)) reply.then(this.handled, (error: unknown) => this.handlerFailed(paths, error));
    else this.handled(reply);
  }

  /** A reply that comes after a preemption is dropped (null: the handler never ran): the handler has logged what happened. */
  private readonly handled = (reply: Reply | null): void => {
    if (reply !== null) this.answer(reply);
  };

  private handlerFailed(paths: MessagePaths, error: unknown): void {
    const { options } = this.pool;
    options.log.error(`internal error on ${paths.controlFiles[0] ?? ''}: ${describeError(error)}`);
    this.answer(failureReply(this.state.name === 'writing' ? 'write-failed' : onErrorRule(options.onError())));
  }

  /** Answers without the handler: at once, or once its write is done (at most writeGraceMs). */
  private giveUp(code: Preemption['code'], reason: string): void {
    const { state } = this;
    if (state.name === 'answered') return;
    if (state.name !== 'writing') {
      this.answerPreempted(state, { code, reason, rule: onErrorRule(this.pool.options.onError()) });
      return;
    }
    if (state.graceTimer !== undefined) return;
    const { writeGraceMs } = this.pool.options.limits;
    state.graceTimer = setTimeout(() => {
      const late = `${reason}; the control files were still being written ${writeGraceMs} ms later`;
      this.answerPreempted(state, { code, reason: late, rule: 'write-unfinished' });
    }, writeGraceMs);
  }

  private answerPreempted(before: State, preemption: Preemption): void {
    const reply = failureReply(preemption.rule);
    if (before.name === 'processing' || before.name === 'writing') {
      this.pool.options.log.error(`${before.firstControlFile}: ${preemption.reason}: answered ${reply.code}`);
    }
    this.answer(reply, preemption);
  }

  /** The only place that writes to the client: exactly one reply, then the connection closes. */
  private answer(reply: Reply, preemption?: Preemption): void {
    const { state, socket } = this;
    if (state.name === 'answered') return;
    if (state.name === 'writing') clearTimeout(state.graceTimer);
    this.state = preemption === undefined ? ANSWERED_BY_HANDLER : { name: 'answered', preemption };
    this.uncount();
    if (socket.destroyed || !socket.writable) socket.destroy();
    else socket.end(formatReply(reply), () => socket.destroy());
    for (const report of this.reports.splice(0)) report();
    this.onAnswered?.();
  }

  private uncount(): void {
    if (this.counted) this.pool.unanswered -= 1;
    this.counted = false;
  }
}

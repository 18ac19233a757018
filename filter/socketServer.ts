import { promises as fs, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { errnoCode } from '../lib/errno';
import { oncePerInterval } from './connectionCap';
import { createLimiter, type Limiter } from './limiter';
import { describeError, type Logger } from './log';
import { badRequestReply, formatReply, TEMPORARY_FAILURE, type Reply } from './reply';
import { createRequestReader, type MessagePaths, type RequestLimits } from './request';

export type MessageHandler = (paths: MessagePaths, gate: WriteGate) => Promise<Reply>;

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
   * Runs `write` unless the connection was already answered (then preemption() is set). While
   * it runs, and until the handler replies, a timeout or a stop waits up to `writeGraceMs`;
   * after that the answer is TEMPORARY_FAILURE whatever on-error says: Courier must not take a
   * control file that may be half-written.
   */
  write<T>(write: () => Promise<T>): Promise<{ readonly ran: true; readonly value: T } | { readonly ran: false }>;
}

/** How a connection was answered without its handler. */
export interface Preemption {
  readonly code: 'timeout' | 'stopping';
  readonly reply: Reply;
  /** For the log, e.g. `not processed within 30000 ms`. */
  readonly reason: string;
}

export interface ServerLimits extends RequestLimits {
  /** Every connection is answered within this time, whatever the client or the handler do. */
  readonly connectionTimeoutMs: number;
  /** After a timeout or a stop, how long an answer waits for a control-file write under way. */
  readonly writeGraceMs: number;
  /** Messages processed at once; later ones wait for a free slot. */
  readonly maxConcurrent: number;
  /** Connections open at once (connectionCap); further ones are closed at once, and logged. */
  readonly maxConnections: number;
}

export interface ServerOptions {
  /** Courier's `allfilters` directory. */
  readonly socketDir: string;
  /** The filter's active name: the socket is `socketDir/name`. */
  readonly name: string;
  /** Courier's queue directory (`<localstatedir>/tmp`); every path must lie inside it. */
  readonly queueDir: () => string;
  readonly handle: MessageHandler;
  /** The answer when the handler fails unexpectedly or runs out of time (policy `on-error`). */
  readonly failureReply: () => Reply;
  readonly limits: ServerLimits;
  readonly log: Logger;
}

export interface FilterServer {
  readonly socketPath: string;
  /**
   * Stops accepting, waits for the connections in flight (at most `timeoutMs`; the rest get
   * the failure reply, or wait for a control-file write under way as WriteGate says), then
   * removes the socket file if it is still ours. Resolves once every connection is answered.
   */
  drain(timeoutMs: number): Promise<{ readonly unfinished: number }>;
  /** Removes the socket file if it is still ours. Synchronous: a crash handler calls it. */
  removeSocket(): void;
}

interface Connection {
  /** Answers without the handler, as WriteGate describes; resolves once answered. */
  preempt(code: Preemption['code'], reason: string): Promise<void>;
  /** Times the connection out if its deadline has passed by `now` (performance.now()). */
  expireBy(now: number): void;
}

const SOCKET_MODE = 0o660;
/** Refused connections and descriptor exhaustion come in floods: one line per minute each. */
const FLOOD_LOG_INTERVAL_MS = 60_000;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;
/**
 * Deadlines are checked by one sweep over the open connections, this many times per
 * connection timeout, instead of a timer set and cleared for every connection: at Courier's
 * pace each message is a cold wake-up, and a timer each was a measurable part of it.
 */
const SWEEPS_PER_TIMEOUT = 10;

/**
 * Binds `.name`, listens, chmod 0660, renames to `name`: the order Courier's own filters use,
 * so submit never sees a socket that is not ready. The rename replaces a stale socket
 * atomically, so there is no moment without one.
 */
export async function startFilterServer(options: ServerOptions): Promise<FilterServer> {
  if (!NAME.test(options.name)) throw new Error(`invalid filter name: ${options.name}`);
  const socketPath = path.join(options.socketDir, options.name);
  const bindPath = path.join(options.socketDir, `.${options.name}`);
  const connections = new Set<Connection>();
  const unanswered = { count: 0 };
  const limiter = createLimiter(options.limits.maxConcurrent);
  const { log } = options;
  const sweepMs = Math.max(1, Math.floor(options.limits.connectionTimeoutMs / SWEEPS_PER_TIMEOUT));
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const connection of connections) connection.expireBy(now);
  }, sweepMs);
  // The listening socket and the connections keep the process alive, not the sweep.
  sweeper.unref();

  // allowHalfOpen: a client may shut down its sending side after the request and still
  // expects the reply.
  const server = net.createServer({ allowHalfOpen: true }, (socket) =>
    serveConnection(socket, options, limiter, connections, unanswered, sweepMs),
  );

  await fs.rm(bindPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bindPath, 511, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Over the cap, Node closes the new connection at once ('drop'): submit answers 432 and the
  // sending MTA retries, while the connections already open keep being answered.
  server.maxConnections = options.limits.maxConnections;
  const reportRefused = oncePerInterval(FLOOD_LOG_INTERVAL_MS, (unreported) =>
    log.error(
      `connection refused: ${options.limits.maxConnections} connections are open, the most allowed; ` +
        `submit answers 432 and the sender retries (${unreported} more refused since the last such line)`,
    ),
  );
  server.on('drop', reportRefused);
  const reportExhausted = oncePerInterval(FLOOD_LOG_INTERVAL_MS, (unreported) =>
    log.error(`cannot accept connections: out of file descriptors (${unreported} more since the last such line)`),
  );
  // An accept error must not end the process; that client is refused and retries.
  server.on('error', (error) => {
    const code = errnoCode(error);
    if (code === 'EMFILE' || code === 'ENFILE') reportExhausted();
    else log.error(`socket server: ${error.message}`);
  });
  await fs.chmod(bindPath, SOCKET_MODE);
  await fs.rename(bindPath, socketPath);
  const { ino } = await fs.stat(socketPath);

  function removeSocket(): void {
    // A filter started after us may own the name by now; only remove our own socket.
    const current = statSync(socketPath, { throwIfNoEntry: false });
    if (current !== undefined && current.ino === ino) rmSync(socketPath, { force: true });
  }

  async function drain(timeoutMs: number): Promise<{ unfinished: number }> {
    server.close();
    const unfinished = await waitUntilEmpty(connections, timeoutMs);
    await Promise.all([...connections].map((connection) => connection.preempt('stopping', 'the filter is stopping')));
    clearInterval(sweeper);
    removeSocket();
    return { unfinished };
  }

  return { socketPath, drain, removeSocket };
}

function serveConnection(
  socket: net.Socket,
  options: ServerOptions,
  limiter: Limiter,
  connections: Set<Connection>,
  /** Shared by every connection of the server. */
  unanswered: { count: number },
  /** How often the server checks deadlines (expireBy). */
  sweepMs: number,
): void {
  const { log, limits } = options;
  const reader = createRequestReader(options.queueDir(), limits);
  let answered = false;
  let onAnswered: (() => void) | undefined;
  let preemption: Preemption | undefined;
  // Set for good once the handler begins a write: from then on only the handler, or after
  // writeGraceMs a TEMPORARY_FAILURE, answers.
  let writeBegun = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let firstControlFile = '';
  const reports: (() => void)[] = [];

  // The sweep that first sees the deadline passed may come up to sweepMs after it: the
  // deadline is that much early, so that the answer never comes later than the timeout.
  const deadline = performance.now() + limits.connectionTimeoutMs - sweepMs;
  let expired = false;
  const connection: Connection = {
    preempt: (code, reason) =>
      new Promise((resolve) => {
        if (answered) return resolve();
        onAnswered = resolve;
        giveUp(code, reason);
      }),
    expireBy(now) {
      if (expired || now < deadline) return;
      expired = true;
      if (firstControlFile === '') answer(badRequestReply('timed out waiting for the request'));
      else giveUp('timeout', `not processed within ${limits.connectionTimeoutMs} ms`);
    },
  };
  connections.add(connection);
  // Counted until answered, or until the client is gone without an answer (a reset).
  let counted = true;
  unanswered.count += 1;
  const uncount = (): void => {
    if (counted) unanswered.count -= 1;
    counted = false;
  };

  const gate: WriteGate = {
    preemption: () => preemption,
    alone: () => unanswered.count === 1,
    afterAnswer(report) {
      if (answered) report();
      else reports.push(report);
    },
    async write(write) {
      if (answered) return { ran: false };
      writeBegun = true;
      return { ran: true, value: await write() };
    },
  };

  socket.on('data', onData);
  socket.on('end', () => {
    if (firstControlFile === '') answer(badRequestReply('request ended before the empty line'));
  });
  socket.on('error', (error) => log.debug(`connection error: ${error.message}`));
  socket.on('close', () => {
    uncount();
    connections.delete(connection);
  });

  function onData(chunk: Buffer): void {
    const state = reader.push(chunk);
    if (state.state === 'incomplete') return;
    socket.off('data', onData);
    socket.pause();
    if (state.state === 'invalid') {
      log.warn(`bad request: ${state.code}: ${state.message}`);
      answer(badRequestReply(state.message));
      return;
    }
    firstControlFile = state.paths.controlFiles[0] ?? '';
    processMessage(state.paths);
  }

  function processMessage(paths: MessagePaths): void {
    // A reply that comes after a preemption is dropped: the handler has logged what happened.
    limiter
      .run(async () => (answered ? null : options.handle(paths, gate)))
      .then(
        (reply) => {
          if (reply !== null) answer(reply);
        },
        (error: unknown) => {
          log.error(`internal error on ${firstControlFile}: ${describeError(error)}`);
          answer(writeBegun ? TEMPORARY_FAILURE : options.failureReply());
        },
      );
  }

  /** Answers without the handler: at once, or once its write is done (at most writeGraceMs). */
  function giveUp(code: Preemption['code'], reason: string): void {
    if (answered || graceTimer !== undefined) return;
    if (!writeBegun) {
      answerPreempted({ code, reason, reply: options.failureReply() });
      return;
    }
    graceTimer = setTimeout(() => {
      const late = `${reason}; the control files were still being written ${limits.writeGraceMs} ms later`;
      answerPreempted({ code, reason: late, reply: TEMPORARY_FAILURE });
    }, limits.writeGraceMs);
  }

  function answerPreempted(given: Preemption): void {
    preemption = given;
    if (firstControlFile !== '') log.error(`${firstControlFile}: ${given.reason}: answered ${given.reply.code}`);
    answer(given.reply);
  }

  /** The only place that writes to the client: exactly one reply, then the connection closes. */
  function answer(reply: Reply): void {
    if (answered) return;
    answered = true;
    uncount();
    clearTimeout(graceTimer);
    if (socket.destroyed || !socket.writable) socket.destroy();
    else socket.end(formatReply(reply), () => socket.destroy());
    for (const report of reports.splice(0)) report();
    onAnswered?.();
  }
}

function waitUntilEmpty(connections: Set<Connection>, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      if (connections.size === 0 || Date.now() >= deadline) resolve(connections.size);
      else setTimeout(poll, 20);
    };
    poll();
  });
}

import { promises as fs, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { errnoCode } from '../lib/errno';
import { Connection, type ConnectionLimits, type ConnectionOptions, type ConnectionPool } from './connection';
import { oncePerInterval } from './connectionCap';
import { createLimiter } from './limiter';

export interface ServerLimits extends ConnectionLimits {
  /** Messages processed at once; later ones wait for a free slot. */
  readonly maxConcurrent: number;
  /** Connections open at once (connectionCap); further ones are closed at once, and logged. */
  readonly maxConnections: number;
}

export interface ServerOptions extends ConnectionOptions {
  /** Courier's `allfilters` directory. */
  readonly socketDir: string;
  /** The filter's active name: the socket is `socketDir/name`. */
  readonly name: string;
  readonly limits: ServerLimits;
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

const SOCKET_MODE = 0o660;
/** Refused connections and descriptor exhaustion come in floods: one line per minute each. */
const FLOOD_LOG_INTERVAL_MS = 60_000;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;
/**
 * Deadlines are checked by one sweep over the open connections, this many times per
 * connection timeout, instead of a timer set and cleared for every connection: at Courier's
 * pace each message is a wake-up of its own, and a timer each was a measurable part of it.
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
  const sweepMs = Math.max(1, Math.floor(options.limits.connectionTimeoutMs / SWEEPS_PER_TIMEOUT));
  const pool: ConnectionPool = { options, limiter: createLimiter(options.limits.maxConcurrent), open: new Set(), unanswered: 0, sweepMs };
  const { log } = options;
  // allowHalfOpen: a client may shut down its sending side after the request and still
  // expects the reply. A connection keeps itself in pool.open until it closes.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    new Connection(socket, pool);
  });

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
  // Started once the socket is in place: a start that fails leaves no interval behind. Until
  // then no connection can arrive (submit knows only the final name).
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const connection of pool.open) connection.expireBy(now);
  }, sweepMs);
  // The listening socket and the connections keep the process alive, not the sweep.
  sweeper.unref();

  function removeSocket(): void {
    // A filter started after us may own the name by now; only remove our own socket.
    const current = statSync(socketPath, { throwIfNoEntry: false });
    if (current !== undefined && current.ino === ino) rmSync(socketPath, { force: true });
  }

  async function drain(timeoutMs: number): Promise<{ unfinished: number }> {
    server.close();
    const unfinished = await waitUntilEmpty(pool.open, timeoutMs);
    await Promise.all([...pool.open].map((connection) => connection.preempt('stopping', 'the filter is stopping')));
    clearInterval(sweeper);
    removeSocket();
    return { unfinished };
  }

  return { socketPath, drain, removeSocket };
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

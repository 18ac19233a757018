import { promises as fs, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createLimiter, type Limiter } from './limiter';
import { describeError, type Logger } from './log';
import { badRequestReply, formatReply, type Reply } from './reply';
import { createRequestReader, type MessagePaths, type RequestLimits } from './request';

export type MessageHandler = (paths: MessagePaths) => Promise<Reply>;

export interface ServerLimits extends RequestLimits {
  /** Every connection is answered within this time, whatever the client or the handler do. */
  readonly connectionTimeoutMs: number;
  /** Messages processed at once; later ones wait for a free slot. */
  readonly maxConcurrent: number;
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
   * the failure reply), then removes the socket file if it is still ours.
   */
  drain(timeoutMs: number): Promise<{ readonly unfinished: number }>;
  /** Removes the socket file if it is still ours. Synchronous: a crash handler calls it. */
  removeSocket(): void;
}

interface Connection {
  /** False when the connection was already answered. */
  answer(reply: Reply): boolean;
}

const SOCKET_MODE = 0o660;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

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
  const limiter = createLimiter(options.limits.maxConcurrent);
  const { log } = options;

  // allowHalfOpen: a client may shut down its sending side after the request and still
  // expects the reply.
  const server = net.createServer({ allowHalfOpen: true }, (socket) =>
    serveConnection(socket, options, limiter, connections),
  );

  await fs.rm(bindPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bindPath, 511, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // An accept error (e.g. EMFILE) must not end the process; that client is refused and retries.
  server.on('error', (error) => log.error(`socket server: ${error.message}`));
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
    for (const connection of connections) connection.answer(options.failureReply());
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
): void {
  const { log, limits } = options;
  const reader = createRequestReader(options.queueDir(), limits);
  let answered = false;
  let firstControlFile = '';

  const connection: Connection = { answer };
  connections.add(connection);
  const timer = setTimeout(() => {
    if (firstControlFile === '') answer(badRequestReply('timed out waiting for the request'));
    else {
      log.error(`message not processed within ${limits.connectionTimeoutMs} ms: ${firstControlFile}`);
      answer(options.failureReply());
    }
  }, limits.connectionTimeoutMs);

  socket.on('data', onData);
  socket.on('end', () => {
    if (firstControlFile === '') answer(badRequestReply('request ended before the empty line'));
  });
  socket.on('error', (error) => log.debug(`connection error: ${error.message}`));
  socket.on('close', () => {
    clearTimeout(timer);
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
    limiter
      .run(async () => (answered ? null : options.handle(paths)))
      .then(
        (reply) => {
          if (reply !== null && !answer(reply)) {
            log.warn(`reply for ${firstControlFile} came after the connection was answered`);
          }
        },
        (error: unknown) => {
          log.error(`internal error on ${firstControlFile}: ${describeError(error)}`);
          answer(options.failureReply());
        },
      );
  }

  /** The only place that writes to the client: exactly one reply, then the connection closes. */
  function answer(reply: Reply): boolean {
    if (answered) return false;
    answered = true;
    clearTimeout(timer);
    if (socket.destroyed || !socket.writable) socket.destroy();
    else socket.end(formatReply(reply), () => socket.destroy());
    return true;
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

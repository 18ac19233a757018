/**
 * submit's side of the filter protocol: the request (the data file's path, the control files'
 * paths, an empty line) and the reply, read until the filter closes the connection or, for
 * measuring, up to the final reply line.
 */
import net from 'node:net';
import type { QueuedMessage } from './spool';

/** submit's request: the data file, the control files, an empty line. */
export function formatRequest(message: QueuedMessage): string {
  return [message.dataFile, ...message.controlFiles, '', ''].join('\n');
}

/**
 * What a client writes: nothing (null), one payload, or parts written one at a time with a
 * pause between, so that the filter reads each as a chunk of its own (a slow client).
 */
export type Payload = string | Buffer | null | readonly (string | Buffer)[];

export interface SendOptions {
  /** Shut down our sending side after the payload (submit does not; some clients do). */
  readonly endAfterWrite?: boolean;
  /** Give up waiting for the server after this long (the test fails with a clear message). */
  readonly timeoutMs?: number;
}

const PAUSE_BETWEEN_PARTS_MS = 50;

/** Connects, writes `payload`, returns all it reads until the filter closes; a socket error rejects. */
export function sendRaw(socketPath: string, payload: Payload, options: SendOptions = {}): Promise<string> {
  return exchange(socketPath, payload, options, 'reject');
}

/**
 * A client that behaves like submit where it matters under abuse:
 * - submit connects with a blocking connect(): when the filter's listen backlog is full it
 *   waits in the kernel. Node's connect is non-blocking and fails with EAGAIN instead, so this
 *   retries, and a burst of 1,000 connections tests the filter, not Node.
 * - a reply may come (and the filter may close) before a flooding client has written
 *   everything: the write error (EPIPE, ECONNRESET) is expected, the reply is what counts.
 * Resolves with everything read until the filter closes the connection.
 */
export async function sendLikeSubmit(socketPath: string, payload: Payload, timeoutMs = 30_000): Promise<string> {
  for (;;) {
    try {
      return await exchange(socketPath, payload, { timeoutMs }, 'ignore-after-connect');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

type SocketErrors = 'reject' | 'ignore-after-connect';

function exchange(socketPath: string, payload: Payload, options: SendOptions, errors: SocketErrors): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => {
      connected = true;
      if (payload === null) return;
      const parts = typeof payload === 'string' || Buffer.isBuffer(payload) ? [payload] : payload;
      parts.forEach((part, i) => {
        const write = (): void => {
          if (!socket.writable) return;
          if (options.endAfterWrite && i === parts.length - 1) socket.end(part);
          else socket.write(part);
        };
        if (i === 0) write();
        else setTimeout(write, i * PAUSE_BETWEEN_PARTS_MS);
      });
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      if (connected && errors === 'ignore-after-connect') return;
      clearTimeout(timer);
      reject(error);
    });
    // After an error that rejected, this resolve changes nothing.
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

export function submit(socketPath: string, message: QueuedMessage, options: SendOptions = {}): Promise<string> {
  return sendRaw(socketPath, formatRequest(message), options);
}

/**
 * submit's side of one filter round trip, lean enough to measure with: connect, send the
 * paths and the empty line, and stop the clock at the final reply line (`NNN text`), as submit
 * does; the socket is then dropped without waiting for the filter to close it.
 */
export interface Verdict {
  /** The whole reply as sent, e.g. "200 Ok\n". */
  readonly reply: string;
  /** Milliseconds from connect() to the final reply line. */
  readonly latencyMs: number;
}

const FINAL_LINE = /(?:^|\n)\d{3}(?: [^\n]*)?\n$/;

export function requestVerdict(socketPath: string, message: QueuedMessage): Promise<Verdict> {
  const request = formatRequest(message);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = net.createConnection(socketPath, () => socket.write(request));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      reply += text;
      if (!FINAL_LINE.test(reply)) return;
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      socket.destroy();
      resolve({ reply, latencyMs });
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`filter closed the connection after ${JSON.stringify(reply)}`)));
  });
}

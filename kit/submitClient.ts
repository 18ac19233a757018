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

export interface SendOptions {
  /** Shut down our sending side after the payload (submit does not; some clients do). */
  readonly endAfterWrite?: boolean;
  /** Give up waiting for the server after this long (the test fails with a clear message). */
  readonly timeoutMs?: number;
}

/** Connects, writes `payload` (nothing when null), returns all it reads until the filter closes. */
export function sendRaw(
  socketPath: string,
  payload: string | Buffer | null,
  options: SendOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${socketPath} within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      if (payload === null) return;
      if (options.endAfterWrite) socket.end(payload);
      else socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
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

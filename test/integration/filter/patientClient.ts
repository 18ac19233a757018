import net from 'node:net';

/**
 * A client that behaves like submit where it matters for abuse tests:
 * - submit connects with a blocking connect(): when the filter's listen backlog is full it
 *   waits in the kernel. Node's connect is non-blocking and fails with EAGAIN instead, so this
 *   retries, and a burst of 1,000 connections tests the filter, not Node.
 * - a reply may come (and the filter may close) before a flooding client has written
 *   everything: the write error (EPIPE, ECONNRESET) is expected, the reply is what counts.
 * Resolves with everything read until the filter closes the connection.
 *
 * An array payload is written one part at a time with a pause between, so the filter reads
 * each part as a chunk of its own (a slow client).
 */
export type Payload = string | Buffer | null | readonly (string | Buffer)[];

const PAUSE_BETWEEN_PARTS_MS = 50;

export async function sendLikeSubmit(socketPath: string, payload: Payload, timeoutMs = 30_000): Promise<string> {
  for (;;) {
    try {
      return await sendOnce(socketPath, payload, timeoutMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function sendOnce(socketPath: string, payload: Payload, timeoutMs: number): Promise<string> {
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
      parts.forEach((part, i) => setTimeout(() => socket.writable && socket.write(part), i * PAUSE_BETWEEN_PARTS_MS));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      if (connected) return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (connected) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** /proc reads race with the filter closing sockets: poll until `condition` holds or the time is up. */
export async function eventually<T>(read: () => T, condition: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!condition(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

import net from 'node:net';
import { formatRequest, type QueuedMessage } from '../test/integration/filter/harness';

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

import { promises as fs, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { errnoCode } from '../lib/errno';
import {
  controlRequestSchema,
  MAX_CONTROL_LINE_BYTES,
  type ControlResponse,
  type ReloadVerdict,
  type StatusReport,
} from './control';
import { describeError, type Logger } from './log';

export interface ControlHandlers {
  status(): StatusReport;
  /** Never rejects: a failed reload is a verdict. */
  reload(): Promise<ReloadVerdict>;
}

export interface ControlServer {
  /** Stops listening and removes the socket (the filter is stopping). */
  close(): void;
}

/** srsctl sends its line at once; a connection silent this long is not srsctl. */
const IDLE_TIMEOUT_MS = 10_000;
const DIRECTORY_MODE = 0o700;
const SOCKET_MODE = 0o600;

/**
 * Listens on `socketPath` (see control.ts). A socket left there by a filter that died is
 * replaced; so is one of a filter still draining after a stop, which needs it no more.
 */
export async function startControlServer(socketPath: string, handlers: ControlHandlers, log: Logger): Promise<ControlServer> {
  try {
    await fs.mkdir(path.dirname(socketPath), { mode: DIRECTORY_MODE });
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
  }
  try {
    await fs.unlink(socketPath);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const server = net.createServer((connection) => serve(connection, handlers, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.warn(`control socket ${socketPath}: ${error.message}`));
  await fs.chmod(socketPath, SOCKET_MODE);
  return {
    close() {
      server.close();
      try {
        unlinkSync(socketPath);
      } catch {
        // Already gone: nothing to clean up.
      }
    },
  };
}

function serve(connection: net.Socket, handlers: ControlHandlers, log: Logger): void {
  let received = '';
  let answered = false;
  connection.setEncoding('utf8');
  connection.setTimeout(IDLE_TIMEOUT_MS, () => connection.destroy());
  connection.on('error', (error) => log.debug(`control connection: ${error.message}`));
  const answer = (response: ControlResponse): void => {
    answered = true;
    connection.end(`${JSON.stringify(response)}\n`);
  };
  connection.on('data', (chunk: string) => {
    if (answered) return;
    received += chunk;
    const end = received.indexOf('\n');
    if (end < 0) {
      if (Buffer.byteLength(received) > MAX_CONTROL_LINE_BYTES) answer({ kind: 'error', message: 'request too long' });
      return;
    }
    connection.pause();
    respond(received.slice(0, end), handlers).then(answer, (error: unknown) => {
      log.error(`control request failed: ${describeError(error)}`);
      answer({ kind: 'error', message: 'internal error' });
    });
  });
}

async function respond(line: string, handlers: ControlHandlers): Promise<ControlResponse> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { kind: 'error', message: 'a request is one JSON line' };
  }
  const request = controlRequestSchema.safeParse(json);
  if (!request.success) return { kind: 'error', message: 'unknown request: expected {"command":"status"} or {"command":"reload"}' };
  switch (request.data.command) {
    case 'status':
      return { kind: 'status', status: handlers.status() };
    case 'reload':
      return { kind: 'reload', reload: await handlers.reload() };
  }
}

import net from 'node:net';
import { controlResponseSchema, controlSocketPath, FILTER_NAME, type ControlRequest, type ControlResponse } from '../../filter/control';
import { DEFAULT_POLICY_PATH, loadPolicy } from '../../lib/config';
import { resolveCourierPaths } from '../../lib/courier/host';
import { errnoCode } from '../../lib/errno';
import { fail as failure, ok, type Result } from '../../lib/result';
import { parseCommandLine } from '../io/commandLine';
import { STATUS } from '../io/exitStatus';
import { fail, type CliIo } from '../io/cliIo';

/** A reload reads the policy, the secrets and Courier's files, and may run courier-config (10 s at most). */
const ANSWER_TIMEOUT_MS = 30_000;

export interface NoAnswer {
  /**
   * false: no filter listens (the socket or its directory is missing, or nothing accepts on it);
   * true: something listens but did not answer as the filter does.
   */
  readonly running: boolean;
  readonly message: string;
}

export type ControlAnswer = Result<ControlResponse, NoAnswer>;

/** The socket's path, or why Courier's localstatedir is not known. */
export type SocketPathResult = Result<string, string>;

/**
 * Where the filter of `filterName` listens: under Courier's localstatedir, as the policy's
 * `courier:` keys or courier-config give it. A policy that does not load (the very case a
 * reload is refused for) still leaves courier-config to ask, so that the filter can say what
 * is wrong with it.
 */
export async function findControlSocket(configPath: string, filterName: string): Promise<SocketPathResult> {
  const policy = await loadPolicy(configPath);
  const overrides = policy.ok ? policy.value.courier : {};
  const courier = await resolveCourierPaths(overrides, { needs: ['localstatedir'] });
  if (!courier.ok) return failure(courier.error.message);
  return ok(controlSocketPath(courier.value.localstatedir, filterName));
}

/** One request, one answer line (filter/control.ts). */
export function askFilter(socketPath: string, request: ControlRequest): Promise<ControlAnswer> {
  return new Promise((resolve) => {
    const socket = net.createConnection(socketPath);
    let text = '';
    const finish = (answer: ControlAnswer): void => {
      socket.destroy();
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(
      () => finish(failure({ running: true, message: `no answer from the filter within ${ANSWER_TIMEOUT_MS / 1000} s` })),
      ANSWER_TIMEOUT_MS,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => finish(parseAnswer(text)));
    socket.on('error', (error) => {
      const code = errnoCode(error);
      const gone = code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTDIR';
      const message = gone ? describeAbsence(socketPath, code) : `cannot reach the filter at ${socketPath}: ${describeFailure(code, error)}`;
      finish(failure({ running: !gone, message }));
    });
  });
}

function describeAbsence(socketPath: string, code: string | undefined): string {
  return code === 'ECONNREFUSED'
    ? `nothing listens on ${socketPath} (left by a filter that did not stop cleanly)`
    : `no control socket at ${socketPath}`;
}

function describeFailure(code: string | undefined, error: Error): string {
  return code === 'EACCES' ? 'permission denied (run as root or as the mail user)' : (code ?? error.message);
}

function parseAnswer(text: string): ControlAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure({ running: true, message: `the filter's answer is not JSON: ${JSON.stringify(text.slice(0, 200))}` });
  }
  const parsed = controlResponseSchema.safeParse(json);
  if (!parsed.success) return failure({ running: true, message: `unexpected answer from the filter: ${text.slice(0, 200)}` });
  return ok(parsed.data);
}

/** What reload and status take: which policy (for Courier's paths) and which filter. */
export const CONTROL_OPTIONS = { config: { type: 'string' }, name: { type: 'string' } } as const;

/**
 * Parses `[--config FILE] [--name NAME]`, asks the filter, and returns its answer, or the exit
 * status after saying why there is none: notRunning when no filter listens.
 */
export async function askFromCommandLine(
  command: ControlRequest['command'],
  args: readonly string[],
  io: CliIo,
): Promise<Result<ControlResponse, number>> {
  const parsed = parseCommandLine(args, CONTROL_OPTIONS);
  if (!parsed.ok) return failure(fail(io, parsed.error, STATUS.usage));
  if (parsed.value.positionals.length > 0) return failure(fail(io, `${command} takes no arguments`, STATUS.usage));
  const { config = DEFAULT_POLICY_PATH, name = FILTER_NAME } = parsed.value.values;
  const socket = await findControlSocket(config, name);
  if (!socket.ok) return failure(fail(io, `cannot find the filter: ${socket.error}`, STATUS.refused));
  const answer = await askFilter(socket.value, { command });
  if (answer.ok) {
    if (answer.value.kind !== 'error') return answer;
    return failure(fail(io, `the filter refused the request: ${answer.value.message}`, STATUS.refused));
  }
  if (answer.error.running) return failure(fail(io, answer.error.message, STATUS.refused));
  io.stdout(`${name} is not running: ${answer.error.message}\n`);
  return failure(STATUS.notRunning);
}

import net from 'node:net';
import type { Limiter } from './limiter';
import { describeError } from './log';
import { badRequestReply, formatReply, TEMPORARY_FAILURE, type Reply } from './reply';
import { createRequestReader, type MessagePaths } from './request';
import type { ServerOptions } from './socketServer';
import type { Preemption, WriteGate } from './writeGate';

export interface Connection {
  /** Answers without the handler, as WriteGate describes; resolves once answered. */
  preempt(code: Preemption['code'], reason: string): Promise<void>;
}

export function serveConnection(
  socket: net.Socket,
  options: ServerOptions,
  limiter: Limiter,
  connections: Set<Connection>,
  /** Shared by every connection of the server. */
  unanswered: { count: number },
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

  const connection: Connection = {
    preempt: (code, reason) =>
      new Promise((resolve) => {
        if (answered) return resolve();
        onAnswered = resolve;
        giveUp(code, reason);
      }),
  };
  connections.add(connection);
  // Counted until answered, or until the client is gone without an answer (a reset).
  let counted = true;
  unanswered.count += 1;
  const uncount = (): void => {
    if (counted) unanswered.count -= 1;
    counted = false;
  };
  const timer = setTimeout(() => {
    if (firstControlFile === '') answer(badRequestReply('timed out waiting for the request'));
    else giveUp('timeout', `not processed within ${limits.connectionTimeoutMs} ms`);
  }, limits.connectionTimeoutMs);

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
    clearTimeout(timer);
    clearTimeout(graceTimer);
    if (socket.destroyed || !socket.writable) socket.destroy();
    else socket.end(formatReply(reply), () => socket.destroy());
    for (const report of reports.splice(0)) report();
    onAnswered?.();
  }
}

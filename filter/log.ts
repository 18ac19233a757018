import { writeSync } from 'node:fs';
import type { LogLevel } from '../lib/config';
import { errnoCode } from '../lib/errno';
import { CONTROL_CHARACTER } from '../lib/text';

/** What the filter's parts log with; main's logger and a test's stub both fit. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** main's logger: its level follows the policy; flush() before the process exits. */
export interface FilterLogger extends Logger {
  setLevel(level: LogLevel): void;
  /** Writes the lines not written yet, synchronously (stderr is a pipe or a file). */
  flush(): void;
}

// courierlogger (courier-libs liblog/logger.c) turns these prefixes into syslog priorities;
// a line without one is logged as LOG_INFO.
const PREFIX: Record<LogLevel, string> = {
  error: 'ERR:',
  warn: 'WARN:',
  info: 'INFO:',
  debug: 'DEBUG:',
};
const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

// courierlogger reads lines with a 512-byte buffer and drops the rest of a longer line.
const MAX_LINE_BYTES = 496;
const CUT_MARK = ' [cut]';

/** Writes what it can of `bytes` and returns the rest: empty unless the reader is stuck. */
export type LineSink = (bytes: Buffer) => Buffer;

/**
 * stderr only: courierfilter connects it to courierlogger, i.e. syslog. One line per event,
 * formatted at once, but one write per event loop turn, lines in order. A plain line writer,
 * not a logging library: at Courier's pace the filter handles one message per wake-up, and a
 * stream-based logger's machinery cost more CPU per line than a message's own decision
 * (bench/README.md). Whoever exits the process calls flush() first (main does so on 'exit').
 */
export function createLogger(level: LogLevel, sink: LineSink = writeToStderr): FilterLogger {
  let threshold = SEVERITY[level];
  const lines = new BatchedLines(sink);
  const at =
    (lineLevel: LogLevel) =>
    (message: string): void => {
      if (SEVERITY[lineLevel] <= threshold) lines.add(formatLogLine(lineLevel, message));
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    setLevel: (next) => {
      threshold = SEVERITY[next];
    },
    flush: () => lines.flush(),
  };
}

/** A stuck reader (courierlogger) is offered the lines again this much later. */
const RETRY_MS = 100;

/** Collects the lines of one event loop turn and writes them at once. */
class BatchedLines {
  private pending = '';
  /** Bytes a stuck reader did not take yet; they go before the pending lines. */
  private unwritten: Buffer = Buffer.alloc(0);
  private scheduled = false;

  constructor(private readonly sink: LineSink) {}

  add(line: string): void {
    this.pending += `${line}\n`;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending === '' && this.unwritten.length === 0) return;
    const fresh = Buffer.from(this.pending);
    this.pending = '';
    this.unwritten = this.sink(this.unwritten.length === 0 ? fresh : Buffer.concat([this.unwritten, fresh]));
    if (this.unwritten.length === 0) return;
    this.scheduled = true;
    setTimeout(this.flush, RETRY_MS).unref();
  };
}

/**
 * fd 2 itself, not process.stderr: that stream would make the pipe non-blocking and put its
 * machinery between every line and the pipe. Should the pipe be non-blocking all the same
 * (EAGAIN), the rest waits for the next try. Logging is best effort: a dead reader (EPIPE) or
 * a closed descriptor must not stop the mail, so those lines are dropped.
 */
function writeToStderr(bytes: Buffer): Buffer {
  let rest = bytes;
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(2, rest));
    return rest;
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined) throw error;
    return code === 'EAGAIN' ? rest : Buffer.alloc(0);
  }
}

/**
 * `PREFIX message`, on one line and short enough for courierlogger. Control characters are
 * escaped because addresses come from the message: a newline would forge a log line.
 */
export function formatLogLine(level: LogLevel, message: string): string {
  const line = `${PREFIX[level]} ${message.replace(CONTROL_CHARACTER, escapeControl)}`;
  if (Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
  const cut = Buffer.from(line).subarray(0, MAX_LINE_BYTES - CUT_MARK.length);
  // A cut inside a multi-byte character decodes to U+FFFD, which is harmless in a log.
  return cut.toString('utf8') + CUT_MARK;
}

function escapeControl(character: string): string {
  return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** An unexpected error on one line: its stack with the line breaks folded. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return (error.stack ?? error.message).replace(/\n\s*/g, ' | ');
  return String(error);
}

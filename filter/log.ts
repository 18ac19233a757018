import winston from 'winston';
import Transport from 'winston-transport';
import type { LogLevel } from '../lib/config';
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

/**
 * stderr only: courierfilter connects it to courierlogger, i.e. syslog. One line per event,
 * but one write per event loop turn, lines in order: a write to a pipe is synchronous in Node,
 * and a write per line took 9% of the main thread at 50 connections. Whoever exits the process
 * calls flush() first (main does so on 'exit').
 */
export function createLogger(level: LogLevel): FilterLogger {
  const stderr = new BatchedStderr();
  const logger = winston.createLogger({
    levels: SEVERITY,
    level,
    format: winston.format.printf(({ level: lineLevel, message }) =>
      formatLogLine(lineLevel as LogLevel, String(message)),
    ),
    transports: [stderr],
  });
  return {
    error: (message) => logger.error(message),
    warn: (message) => logger.warn(message),
    info: (message) => logger.info(message),
    debug: (message) => logger.debug(message),
    setLevel: (next) => {
      logger.level = next;
    },
    flush: () => stderr.flush(),
  };
}

/** Collects the formatted lines of one event loop turn and writes them to stderr at once. */
class BatchedStderr extends Transport {
  private pending: string[] = [];

  override log(info: Record<symbol, unknown>, next: () => void): void {
    const line = String(info[FORMATTED]);
    if (this.pending.push(line) === 1) setImmediate(() => this.flush());
    next();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    process.stderr.write(text);
  }
}

// Where winston's format leaves the finished line (triple-beam's MESSAGE).
const FORMATTED = Symbol.for('message');

/**
 * `PREFIX message`, on one line and short enough for courierlogger. Control characters are
 * escaped because addresses come from the message: a newline would forge a log line.
 */
function formatLogLine(level: LogLevel, message: string): string {
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

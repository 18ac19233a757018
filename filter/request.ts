import path from 'node:path';
import { fail, ok, type Failure, type Result } from '../lib/result';
import { hasControlCharacter } from '../lib/text';

/** What submit sends for one message: the data file, then one or more control files. */
export interface MessagePaths {
  readonly dataFile: string;
  readonly controlFiles: readonly string[];
}

export interface RequestLimits {
  /** Longest line accepted; a path never needs more than PATH_MAX (4096). */
  readonly maxLineBytes: number;
  /** Longest request accepted, all lines together. */
  readonly maxRequestBytes: number;
  /** Most control files one request may name, duplicates counted once. */
  readonly maxControlFiles: number;
}

export type RequestProblemCode =
  | 'line-too-long'
  | 'request-too-long'
  | 'not-a-path'
  | 'outside-queue'
  | 'no-control-file'
  | 'too-many-control-files'
  | 'empty';

export type RequestState =
  | { readonly state: 'incomplete' }
  | { readonly state: 'complete'; readonly paths: MessagePaths }
  | { readonly state: 'invalid'; readonly code: RequestProblemCode; readonly message: string };

const NEWLINE = 0x0a;
const INCOMPLETE: RequestState = { state: 'incomplete' };

/**
 * Reads one request as its bytes arrive. Every line is checked as soon as it is complete, so
 * garbage is refused at its first line instead of after a timeout. A control file named twice
 * counts once (each is read and held in memory, so a repeated one must not cost twice).
 */
export interface RequestReader {
  push(chunk: Buffer): RequestState;
}

export function createRequestReader(queueDir: string, limits: RequestLimits): RequestReader {
  const queuePrefix = queueDir.endsWith(path.sep) ? queueDir : queueDir + path.sep;
  let dataFile: string | undefined;
  // In the order submit sent them.
  const controlFiles = new Set<string>();
  let partial: Buffer | null = null;
  let total = 0;
  let result: RequestState = INCOMPLETE;

  function takeLine(line: Buffer): RequestState {
    if (line.length === 0) return finish();
    const parsed = parseQueuePath(line, queuePrefix);
    if (!parsed.ok) return invalid(parsed.error.code, parsed.error.message);
    if (dataFile === undefined) {
      dataFile = parsed.value;
      return INCOMPLETE;
    }
    controlFiles.add(parsed.value);
    if (controlFiles.size > limits.maxControlFiles) {
      return invalid('too-many-control-files', `more than ${limits.maxControlFiles} control files`);
    }
    return INCOMPLETE;
  }

  function finish(): RequestState {
    if (dataFile === undefined) return invalid('empty', 'empty request');
    if (controlFiles.size === 0) return invalid('no-control-file', 'no control file path');
    return { state: 'complete', paths: { dataFile, controlFiles: [...controlFiles] } };
  }

  function push(chunk: Buffer): RequestState {
    if (result.state !== 'incomplete') return result;
    total += chunk.length;
    // Checked before the lines: a last chunk that both crosses the limit and ends the request
    // must not slip through with thousands of control files.
    if (total > limits.maxRequestBytes) {
      result = invalid('request-too-long', `request longer than ${limits.maxRequestBytes} bytes`);
      return result;
    }
    let start = 0;
    let end = chunk.indexOf(NEWLINE);
    while (end !== -1 && result.state === 'incomplete') {
      const piece = chunk.subarray(start, end);
      const line: Buffer = partial === null ? piece : Buffer.concat([partial, piece]);
      partial = null;
      result = line.length > limits.maxLineBytes ? tooLong() : takeLine(line);
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (result.state !== 'incomplete') return result;
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      partial = partial === null ? Buffer.from(rest) : Buffer.concat([partial, rest]);
      if (partial.length > limits.maxLineBytes) result = tooLong();
    }
    return result;
  }

  function tooLong(): RequestState {
    return invalid('line-too-long', `line longer than ${limits.maxLineBytes} bytes`);
  }

  return { push };
}

function invalid(code: RequestProblemCode, message: string): RequestState {
  return { state: 'invalid', code, message };
}

type PathResult = Result<string, Failure<'not-a-path' | 'outside-queue'>>;

/** A line names a file inside Courier's queue: absolute, normalised, no `..`. */
function parseQueuePath(line: Buffer, queuePrefix: string): PathResult {
  const text = line.toString('utf8');
  // Control characters (CR included) never occur in Courier's queue paths; refusing them also
  // keeps them out of log lines.
  if (hasControlCharacter(text)) return notAPath('control character in path');
  if (text.includes('\uFFFD')) return notAPath('path is not UTF-8');
  if (!path.isAbsolute(text)) return notAPath('path is not absolute');
  if (path.resolve(text) !== text) return notAPath('path is not normalised');
  if (!text.startsWith(queuePrefix)) {
    return fail({ code: 'outside-queue', message: "path is outside Courier's queue" });
  }
  return ok(text);
}

function notAPath(message: string): PathResult {
  return fail({ code: 'not-a-path', message });
}

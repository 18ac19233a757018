import { close, closeSync, constants, fstatSync, fsync, ftruncate, open, openSync, readSync, write } from 'node:fs';
import { promisify } from 'node:util';
import { errnoCode } from '../errno';
import { DEFAULT_CONTROL_FILE_LIMITS, formatControlFile, parseControlFile } from './controlFile';
import { withChanges } from './controlFileEdit';
import type {
  ControlFile,
  ControlFileErrorCode,
  ControlFileFailure,
  ControlFileLimits,
  ControlFileResult,
  EnvelopeChanges,
} from './types';

export type ControlFileWriteResult = { readonly ok: true } | ControlFileFailure;

export interface ControlFileTarget {
  readonly path: string;
  /** The file as read from `path`. */
  readonly file: ControlFile;
}

export type ApplyRewriteResult =
  | {
      readonly ok: true;
      /** The files after the changes, same order as the targets. */
      readonly files: readonly ControlFile[];
      /** Paths whose bytes changed and were written. */
      readonly written: readonly string[];
    }
  | (ControlFileFailure & { readonly path: string });

// Plain descriptor calls, not fs/promises' FileHandle: every rewritten message opens, writes
// and fsyncs its files, and the FileHandle wrapper measured about three times the main-thread
// CPU per call under load. The writes stay on the thread pool: an fsync on the event loop
// would serialise every message behind the disk.
const fd = {
  open: promisify(open),
  write: promisify(write),
  ftruncate: promisify(ftruncate),
  fsync: promisify(fsync),
  close: promisify(close),
};

// Only the mail user can put files into Courier's queue, but a FIFO or a symlink there must
// still not stall an I/O thread (open of a FIFO blocks without O_NONBLOCK) nor redirect a
// rewrite outside the queue (O_NOFOLLOW: ELOOP instead of following).
const { O_RDONLY, O_RDWR, O_NONBLOCK, O_NOFOLLOW } = constants;
const READ_FLAGS = O_RDONLY | O_NONBLOCK | O_NOFOLLOW;
const WRITE_FLAGS = O_RDWR | O_NONBLOCK | O_NOFOLLOW;

/**
 * Reads synchronously, unlike the writes: submit wrote and fsynced the file a moment ago, so it
 * is in the page cache and the four calls take microseconds, where four trips through libuv's
 * thread pool measured a third of the filter's added latency per message. O_NONBLOCK keeps
 * even a FIFO from blocking the open.
 */
export async function readControlFile(
  path: string,
  limits: ControlFileLimits = DEFAULT_CONTROL_FILE_LIMITS,
): Promise<ControlFileResult> {
  let descriptor: number;
  try {
    descriptor = openSync(path, READ_FLAGS);
  } catch (error) {
    return systemFailure(error, path, 'unreadable');
  }
  try {
    // submit has written the file whole before it asks the filters, so fstat's size is all
    // there is. One byte past the limit lets parseControlFile report 'too-large' without
    // ever holding more than the limit in memory.
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) return { ok: false, code: 'unreadable', message: `${path} is not a regular file` };
    const bytes = readAtMost(descriptor, Math.min(stats.size, limits.maxBytes + 1));
    return parseControlFile(bytes, limits);
  } catch (error) {
    return systemFailure(error, path, 'unreadable');
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Rewrites the file through the same inode: open read/write, write from offset 0, truncate to
 * the new length, fsync, close. Never a temp file + rename: Courier names the data file and the
 * queue entries after the control file's inode, so a new inode would cut the message loose from
 * its data and its queue links.
 */
export function writeControlFileInPlace(path: string, file: ControlFile): Promise<ControlFileWriteResult> {
  return rewriteInPlace(path, formatControlFile(file), Number.POSITIVE_INFINITY);
}

/**
 * Applies one decision to every control file of a message and writes the files whose bytes
 * changed. Stops at the first failure; the filter then answers 4xx and Courier drops the whole
 * message, so a half-applied rewrite is never delivered.
 */
export async function applyRewrite(
  targets: readonly ControlFileTarget[],
  changes: EnvelopeChanges,
): Promise<ApplyRewriteResult> {
  const files = withChanges(
    targets.map((target) => target.file),
    changes,
  );
  const written: string[] = [];
  for (const [i, target] of targets.entries()) {
    const before = formatControlFile(target.file);
    const after = formatControlFile(files[i] as ControlFile);
    if (after.equals(before)) continue;
    // The target was read whole (parseControlFile keeps every byte), so its length is the
    // file's length on disk.
    const result = await rewriteInPlace(target.path, after, before.length);
    if (!result.ok) return { ...result, path: target.path };
    written.push(target.path);
  }
  return { ok: true, files, written };
}

/** `previousLength`: the file's length now; when the new bytes cover it, there is no tail to cut. */
async function rewriteInPlace(path: string, bytes: Buffer, previousLength: number): Promise<ControlFileWriteResult> {
  return withDescriptor(path, WRITE_FLAGS, 'unwritable', async (descriptor) => {
    await writeAll(descriptor, bytes);
    if (bytes.length < previousLength) await fd.ftruncate(descriptor, bytes.length);
    // Courier reads the file as soon as we answer: it must be on disk before the reply.
    await fd.fsync(descriptor);
    return { ok: true as const };
  });
}

/** Opens `path`, runs `use`, closes; operating-system errors on the way become typed failures. */
async function withDescriptor<T>(
  path: string,
  flags: number,
  denied: ControlFileErrorCode,
  use: (descriptor: number) => Promise<T>,
): Promise<T | ControlFileFailure> {
  try {
    const descriptor = await fd.open(path, flags);
    try {
      return await use(descriptor);
    } finally {
      await fd.close(descriptor);
    }
  } catch (error) {
    return systemFailure(error, path, denied);
  }
}

/** Up to `length` bytes from the start; fewer only when the file is shorter. */
function readAtMost(descriptor: number, length: number): Buffer {
  // Unsafe (not zero-filled) is fine: only the bytes read are ever looked at.
  const buffer = Buffer.allocUnsafe(length);
  let total = 0;
  while (total < length) {
    const bytesRead = readSync(descriptor, buffer, total, length - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return buffer.subarray(0, total);
}

async function writeAll(descriptor: number, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await fd.write(descriptor, bytes, offset, bytes.length - offset, offset);
    offset += bytesWritten;
  }
}

const PERMISSION_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'EISDIR']);

/** Operating-system errors are expected failures; anything else is a bug and is rethrown. */
function systemFailure(error: unknown, path: string, denied: ControlFileErrorCode): ControlFileFailure {
  const code = errnoCode(error);
  if (code === undefined) throw error;
  if (code === 'ENOENT') return { ok: false, code: 'not-found', message: `${path} does not exist` };
  if (code === 'ELOOP') return { ok: false, code: denied, message: `${path} is a symbolic link` };
  if (PERMISSION_ERRORS.has(code)) return { ok: false, code: denied, message: `${path}: ${code}` };
  return { ok: false, code: 'io-error', message: `${path}: ${code}` };
}

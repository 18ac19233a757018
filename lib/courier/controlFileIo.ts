import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_CONTROL_FILE_LIMITS, formatControlFile, parseControlFile } from './controlFile';
import { withChanges } from './controlFileEdit';
import { errnoCode } from './errno';
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

const READ_CHUNK = 64 * 1024;

export async function readControlFile(
  path: string,
  limits: ControlFileLimits = DEFAULT_CONTROL_FILE_LIMITS,
): Promise<ControlFileResult> {
  try {
    const handle = await open(path, 'r');
    try {
      // Reading one byte past the limit lets parseControlFile report 'too-large' without
      // ever holding more than the limit in memory.
      return parseControlFile(await readAtMost(handle, limits.maxBytes + 1), limits);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return systemFailure(error, path, 'unreadable');
  }
}

/**
 * Rewrites the file through the same inode: open read/write, write from offset 0, truncate to
 * the new length, fsync, close. Never a temp file + rename: Courier names the data file and the
 * queue entries after the control file's inode, so a new inode would cut the message loose from
 * its data and its queue links.
 */
export async function writeControlFileInPlace(path: string, file: ControlFile): Promise<ControlFileWriteResult> {
  const bytes = formatControlFile(file);
  try {
    const handle = await open(path, 'r+');
    try {
      await writeAll(handle, bytes);
      await handle.truncate(bytes.length);
      // Courier reads the file as soon as we answer: it must be on disk before the reply.
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { ok: true };
  } catch (error) {
    return systemFailure(error, path, 'unwritable');
  }
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
    const file = files[i] as ControlFile;
    if (formatControlFile(file).equals(formatControlFile(target.file))) continue;
    const result = await writeControlFileInPlace(target.path, file);
    if (!result.ok) return { ...result, path: target.path };
    written.push(target.path);
  }
  return { ok: true, files, written };
}

async function readAtMost(handle: FileHandle, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = Buffer.alloc(Math.min(READ_CHUNK, limit - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, offset);
    offset += bytesWritten;
  }
}

const PERMISSION_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'EISDIR']);

/** Operating-system errors are expected failures; anything else is a bug and is rethrown. */
function systemFailure(error: unknown, path: string, denied: ControlFileErrorCode): ControlFileFailure {
  const code = errnoCode(error);
  if (code === undefined) throw error;
  if (code === 'ENOENT') return { ok: false, code: 'not-found', message: `${path} does not exist` };
  if (PERMISSION_ERRORS.has(code)) return { ok: false, code: denied, message: `${path}: ${code}` };
  return { ok: false, code: 'io-error', message: `${path}: ${code}` };
}

import {
  closeSync,
  constants,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncate,
  ftruncateSync,
  openSync,
  readlinkSync,
  readSync,
  type Stats,
  write,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { errnoCode } from '../../errno';
import { fail, ok, type Result } from '../../result';
import {
  type ControlFile,
  type ControlFileErrorCode,
  type ControlFileFailure,
  type ControlFileLimits,
  type ControlFileResult,
  DEFAULT_CONTROL_FILE_LIMITS,
  formatControlFile,
  parseControlFile,
} from './controlFile';
import { withChanges, type EnvelopeChanges } from './controlFileEdit';
import type { QueueDirectory } from './queueDirectory';

type ControlFileWriteResult = Result<void, ControlFileFailure>;

/** A failure of one of a message's control files, and which one. */
export interface ControlFilePathFailure extends ControlFileFailure {
  readonly path: string;
}

export interface ControlFileTarget {
  readonly path: string;
  /** The file as read from `path`. */
  readonly file: ControlFile;
  /**
   * The inode that was read, once checked to lie inside the queue: a write that opens this
   * same inode again needs no second real-path check.
   */
  readonly checked?: FileIdentity;
}

/** A file as the kernel knows it, whatever path leads there. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

export interface Rewritten {
  /** The files after the changes, same order as the targets. */
  readonly files: readonly ControlFile[];
  /** Paths whose bytes changed and were written. */
  readonly written: readonly string[];
}

export type ApplyRewriteResult = Result<Rewritten, ControlFilePathFailure>;

/**
 * Where a rewrite waits for the disk. `blocking`: on the calling thread, the fastest answer when
 * nothing else is waiting for the event loop (no thread-pool wake-up; bench/README.md has the
 * figures). A stalled disk then holds the
 * event loop, so the filter's own 451 after the write grace waits for the disk as well; no
 * other message is waiting meanwhile, and submit's next fsync would stall on that disk too.
 * `pooled`: on libuv's thread pool, so that other messages go on meanwhile: with many in
 * flight, about twice the rewrites per second of blocking.
 */
export type DiskWait = 'blocking' | 'pooled';

/** A call that waits for the disk: the steps of a rewrite yield it, and DiskWait says who makes it. */
type DurableCall =
  | { readonly name: 'write'; readonly descriptor: number; readonly bytes: Buffer; readonly offset: number }
  | { readonly name: 'ftruncate'; readonly descriptor: number; readonly length: number }
  | { readonly name: 'fdatasync'; readonly descriptor: number };

/**
 * File steps written once for both waits: they yield each durable call and get back what it
 * returned (the bytes written; 0 for the others), or have its error thrown into them.
 */
type Steps<T> = Generator<DurableCall, T, number>;

function callBlocking(call: DurableCall): number {
  switch (call.name) {
    case 'write':
      return writeSync(call.descriptor, call.bytes, call.offset, call.bytes.length - call.offset, call.offset);
    case 'ftruncate':
      ftruncateSync(call.descriptor, call.length);
      return 0;
    case 'fdatasync':
      fdatasyncSync(call.descriptor);
      return 0;
  }
}

// Plain descriptor calls, not fs/promises' FileHandle: the FileHandle wrapper costs several
// times the main-thread CPU per call under load.
const pooledWrite = promisify(write);
const pooledFtruncate = promisify(ftruncate);
const pooledFdatasync = promisify(fdatasync);

async function callPooled(call: DurableCall): Promise<number> {
  switch (call.name) {
    case 'write':
      return (await pooledWrite(call.descriptor, call.bytes, call.offset, call.bytes.length - call.offset, call.offset)).bytesWritten;
    case 'ftruncate':
      await pooledFtruncate(call.descriptor, call.length);
      return 0;
    case 'fdatasync':
      await pooledFdatasync(call.descriptor);
      return 0;
  }
}

/** Runs the steps on the calling thread: no promise, no event-loop turn. */
function runBlocking<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (next.done !== true) {
    let returned: number;
    try {
      returned = callBlocking(next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(returned);
  }
  return next.value;
}

async function runPooled<T>(steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (next.done !== true) {
    let returned: number;
    try {
      returned = await callPooled(next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(returned);
  }
  return next.value;
}

// Only the mail user can put files into Courier's queue, but a FIFO or a symlink there must
// still not stall the filter (open of a FIFO blocks without O_NONBLOCK) nor redirect a
// rewrite outside the queue (O_NOFOLLOW: ELOOP instead of following; a symlinked directory
// on the way is caught by inspectOpened). O_DSYNC makes each
// write return only once the bytes and the new length are on disk, so the write is the only
// call that waits for the disk.
const { O_RDONLY, O_RDWR, O_NONBLOCK, O_NOFOLLOW, O_DSYNC } = constants;
const READ_FLAGS = O_RDONLY | O_NONBLOCK | O_NOFOLLOW;
const WRITE_FLAGS = O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_DSYNC;

/**
 * The most bytes all control files of one message may hold together. submit writes about 100
 * recipients to a control file (a few kB); 32 MiB is some 300,000 recipients, and keeps a
 * request naming a thousand files of 4 MiB each from holding gigabytes.
 */
export const MAX_MESSAGE_CONTROL_BYTES = 32 * 1024 * 1024;

/**
 * Failures that say the request or the queue is not what Courier makes: the filter answers
 * them 451 whatever `on-error` says, since accepting would let the message go on unchecked.
 */
const REFUSALS: ReadonlySet<ControlFileErrorCode> = new Set(['outside-queue', 'foreign-owner', 'message-too-large']);

export function isRefusal(code: ControlFileErrorCode): boolean {
  return REFUSALS.has(code);
}

/**
 * Reads synchronously, whatever DiskWait the write will use: submit wrote and fsynced the file a
 * moment ago, so it is in the page cache and the four calls take microseconds, where four trips
 * through libuv's thread pool are a large share of the filter's added latency. O_NONBLOCK keeps
 * even a FIFO from blocking the open.
 */
export function readControlFile(
  path: string,
  queue: QueueDirectory,
  limits: ControlFileLimits = DEFAULT_CONTROL_FILE_LIMITS,
): ControlFileResult {
  const unlimited = { left: Number.POSITIVE_INFINITY, total: Number.POSITIVE_INFINITY };
  const result = readWithin(path, queue, limits, unlimited);
  return result.ok ? ok(result.value.file) : result;
}

export type ReadControlFilesResult = Result<readonly ControlFileTarget[], ControlFilePathFailure>;

/** Every control file of one message, or the first that cannot be read or is over the budget. Synchronous, as readControlFile says. */
export function readControlFiles(
  paths: readonly string[],
  queue: QueueDirectory,
  maxTotalBytes: number = MAX_MESSAGE_CONTROL_BYTES,
): ReadControlFilesResult {
  const targets: ControlFileTarget[] = [];
  let total = 0;
  for (const path of paths) {
    const budget = { left: maxTotalBytes - total, total: maxTotalBytes };
    const result = readWithin(path, queue, DEFAULT_CONTROL_FILE_LIMITS, budget);
    if (!result.ok) return fail({ ...result.error, path });
    total += result.value.size;
    targets.push({ path, file: result.value.file, checked: result.value.checked });
  }
  return ok(targets);
}

type SizedResult = Result<{ readonly file: ControlFile; readonly size: number; readonly checked: FileIdentity }, ControlFileFailure>;

/** `budget.left`: the bytes this file may have, of `budget.total` for the whole message. */
function readWithin(
  path: string,
  queue: QueueDirectory,
  limits: ControlFileLimits,
  budget: { readonly left: number; readonly total: number },
): SizedResult {
  // A read has no durable call to yield: the steps run through at once.
  return runBlocking(withDescriptor(path, READ_FLAGS, 'unreadable', queue, undefined, function* (descriptor, stats): Steps<SizedResult> {
    // submit has written the file whole before it asks the filters, so fstat's size is all
    // there is. One byte past the limit lets parseControlFile report 'too-large' without
    // ever holding more than the limit in memory.
    if (stats.size > budget.left) {
      return fail({ code: 'message-too-large', message: `the control files of the message are over ${budget.total} bytes together` });
    }
    const bytes = readAtMost(descriptor, Math.min(stats.size, limits.maxBytes + 1));
    const parsed = parseControlFile(bytes, limits);
    return parsed.ok ? ok({ file: parsed.value, size: bytes.length, checked: { dev: stats.dev, ino: stats.ino } }) : parsed;
  }));
}

/**
 * Applies one decision to every control file of a message and writes the files whose bytes
 * changed, each through its own inode: open read/write, write from offset 0 and wait for the
 * disk, cut any old tail, close. Never a temp file + rename: Courier names the data file and the
 * queue entries after the control file's inode, so a new inode would cut the message loose from
 * its data and its queue links. Stops at the first failure; the filter then answers 4xx and
 * Courier drops the whole message, so a half-applied rewrite is never delivered. Blocking, it
 * is done when it returns; pooled, when the promise resolves.
 */
export function applyRewrite(targets: readonly ControlFileTarget[], changes: EnvelopeChanges, wait: 'blocking', queue: QueueDirectory): ApplyRewriteResult;
export function applyRewrite(targets: readonly ControlFileTarget[], changes: EnvelopeChanges, wait: 'pooled', queue: QueueDirectory): Promise<ApplyRewriteResult>;
export function applyRewrite(
  targets: readonly ControlFileTarget[],
  changes: EnvelopeChanges,
  wait: DiskWait,
  queue: QueueDirectory,
): ApplyRewriteResult | Promise<ApplyRewriteResult>;
export function applyRewrite(
  targets: readonly ControlFileTarget[],
  changes: EnvelopeChanges,
  wait: DiskWait,
  queue: QueueDirectory,
): ApplyRewriteResult | Promise<ApplyRewriteResult> {
  const steps = rewriteSteps(targets, changes, queue);
  return wait === 'blocking' ? runBlocking(steps) : runPooled(steps);
}

function* rewriteSteps(targets: readonly ControlFileTarget[], changes: EnvelopeChanges, queue: QueueDirectory): Steps<ApplyRewriteResult> {
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
    const result = yield* rewriteInPlace(target, after, before.length, queue);
    if (!result.ok) return fail({ ...result.error, path: target.path });
    written.push(target.path);
  }
  return ok({ files, written });
}

/**
 * `previousLength`: the file's length now; when the new bytes cover it, there is no tail to cut.
 *
 * Open and close are synchronous whatever the wait: the file sits in submit's queue
 * directory on a local disk, so they take microseconds, where a thread-pool trip each costs
 * latency.
 */
function rewriteInPlace({ path, checked }: ControlFileTarget, bytes: Buffer, previousLength: number, queue: QueueDirectory): Steps<ControlFileWriteResult> {
  return withDescriptor(path, WRITE_FLAGS, 'unwritable', queue, checked, function* (descriptor): Steps<ControlFileWriteResult> {
    // Courier reads the file as soon as we answer: it must be on disk before the reply.
    for (let offset = 0; offset < bytes.length; ) {
      offset += yield { name: 'write', descriptor, bytes, offset };
    }
    if (bytes.length < previousLength) {
      yield { name: 'ftruncate', descriptor, length: bytes.length };
      // O_DSYNC covers writes, not a truncation: the shorter length needs its own sync.
      yield { name: 'fdatasync', descriptor };
    }
    return ok();
  });
}

/**
 * Opens `path`, checks what was opened (inspectOpened; `checked`: an inode already found inside
 * the queue), runs `use`, closes; operating-system errors on the way become typed failures.
 * Open and close are synchronous (see rewriteInPlace); the durable calls of `use` are yielded.
 */
function* withDescriptor<T>(
  path: string,
  flags: number,
  denied: ControlFileErrorCode,
  queue: QueueDirectory,
  checked: FileIdentity | undefined,
  use: (descriptor: number, stats: Stats) => Steps<Result<T, ControlFileFailure>>,
): Steps<Result<T, ControlFileFailure>> {
  let descriptor: number;
  try {
    descriptor = openSync(path, flags);
  } catch (error) {
    return systemFailure(error, path, denied);
  }
  try {
    const opened = inspectOpened(descriptor, path, denied, queue, checked);
    return opened.ok ? yield* use(descriptor, opened.value) : opened;
  } catch (error) {
    return systemFailure(error, path, denied);
  } finally {
    closeSync(descriptor);
  }
}

/**
 * The request's paths were checked as text, but a directory on the way may be a symbolic link
 * (O_NOFOLLOW covers the last component only) or the file a hard link from elsewhere. So the
 * file actually opened is checked: a regular file on the queue's device, of the mail user or
 * the mail group, whose real path (the kernel's, through /proc/self/fd: no race with a
 * rename) lies inside the queue. The group counts as well as the owner because submit runs
 * with its caller's user id: mail re-injected by a local user's sendmail (a .courier forward)
 * belongs to that user and the mail group. The real path is read only for an inode not
 * `checked` before: the read of a message checks it, and the write that reopens the same inode
 * (same device and inode number, whatever path led there) writes that very file.
 */
function inspectOpened(
  descriptor: number,
  path: string,
  denied: ControlFileErrorCode,
  queue: QueueDirectory,
  checked: FileIdentity | undefined,
): Result<Stats, ControlFileFailure> {
  const stats = fstatSync(descriptor);
  if (!stats.isFile()) return fail({ code: denied, message: `${path} is not a regular file` });
  if (stats.dev !== queue.device) return fail({ code: 'outside-queue', message: `${path} is not on the file system of Courier's queue` });
  if (stats.uid !== queue.owner && stats.gid !== queue.group) {
    return fail({ code: 'foreign-owner', message: `${path} belongs to uid ${stats.uid} gid ${stats.gid}, neither the mail user nor the mail group` });
  }
  if (checked !== undefined && checked.ino === stats.ino && checked.dev === stats.dev) return ok(stats);
  const real = realPathOf(descriptor);
  if (real === undefined) return fail({ code: 'io-error', message: `${path}: its real path cannot be read from /proc/self/fd` });
  if (!real.startsWith(`${queue.realPath}/`)) {
    return fail({ code: 'outside-queue', message: `${path} resolves to ${real}, outside Courier's queue ${queue.realPath}` });
  }
  return ok(stats);
}

function realPathOf(descriptor: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${descriptor}`);
  } catch (error) {
    if (errnoCode(error) === undefined) throw error;
    return undefined;
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

const PERMISSION_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'EISDIR']);

/** Operating-system errors are expected failures; anything else is a bug and is rethrown. */
function systemFailure(error: unknown, path: string, denied: ControlFileErrorCode): Result<never, ControlFileFailure> {
  const code = errnoCode(error);
  if (code === undefined) throw error;
  if (code === 'ENOENT') return fail({ code: 'not-found', message: `${path} does not exist` });
  if (code === 'ELOOP') return fail({ code: denied, message: `${path} is a symbolic link` });
  if (PERMISSION_ERRORS.has(code)) return fail({ code: denied, message: `${path}: ${code}` });
  return fail({ code: 'io-error', message: `${path}: ${code}` });
}

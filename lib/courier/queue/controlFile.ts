import { fail, ok, type Failure, type Result } from '../../result';
import { hasControlCharacter } from '../../text';

/*
 * Courier's queue control file: one record a line, the first byte is the record type
 * (courier/libs/comctlfile.h). We keep every record as the exact bytes Courier wrote and only
 * decode the address records, so a rewrite changes one line and nothing else.
 *
 * Fatal (the filter answers 4xx and leaves the file alone) is whatever makes us unsure which
 * bytes Courier will act on: a size over the limits, a missing final '\n' (submit writes whole
 * lines, so the file is not what it wrote), a NUL byte (Courier's C strings would stop there),
 * no `s` first record, two `s` records (Courier takes the last, a rewrite of the first would be
 * silently ignored), and an address record that is no valid UTF-8. Everything else is kept as
 * is: record types we do not know, empty lines (Courier skips them), `R`/`N` counts that do not
 * match the `r` count, and `I`/`S` records for recipients that do not exist.
 */

/**
 * A parsed control file. Only parseControlFile and the with* editors make one, so every
 * address record in it is valid UTF-8 and the first record is the `s` record.
 */
export interface ControlFile {
  /** Every record in file order, byte for byte, without its '\n'; byte 0 is the record type. */
  readonly records: readonly Buffer[];
}

/** Stable codes: they appear in logs and in the filter's 4xx reply. */
export type ControlFileErrorCode =
  | 'not-found' // the path does not exist (read/write)
  | 'unreadable' // no permission, or a directory (read)
  | 'unwritable' // no permission or read-only file system (write)
  | 'io-error' // any other operating-system error
  | 'too-large' // the file or one line is over the limits
  | 'truncated' // the last line has no '\n': not what submit wrote
  | 'nul-byte' // a NUL byte: Courier's C code would see a different file
  | 'no-sender' // empty file, or the first record is not `s`
  | 'duplicate-sender' // a second `s` record: which one is the sender is ambiguous
  | 'bad-encoding' // an address record (s, r, R) is no valid UTF-8 or holds a control character
  | 'outside-queue' // the opened file lies outside Courier's queue (a symlinked directory) or on another device
  | 'foreign-owner' // the opened file belongs neither to the mail user nor to the mail group
  | 'message-too-large'; // the control files of one message together are over the limit

/** Its message is one sentence for a log line; it never contains the file's content. */
export type ControlFileFailure = Failure<ControlFileErrorCode>;

export type ControlFileResult = Result<ControlFile, ControlFileFailure>;

/** Bounds on what parseControlFile accepts, so a hostile or broken file cannot exhaust memory. */
export interface ControlFileLimits {
  readonly maxBytes: number;
  readonly maxLineBytes: number;
}

export const DEFAULT_CONTROL_FILE_LIMITS: ControlFileLimits = {
  // A control file of 100 recipients is a few kB; 4 MiB leaves room without risking memory.
  maxBytes: 4 * 1024 * 1024,
  // Addresses are at most a few hundred bytes; no record Courier writes comes near 64 KiB.
  maxLineBytes: 64 * 1024,
};

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');
const ADDRESS_RECORDS = new Set(['s', 'r', 'R']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function recordType(record: Buffer): string {
  return record.length === 0 ? '' : String.fromCharCode(record[0] as number);
}

/** The text after the type byte of an address record; undefined if it is not a clean UTF-8 address. */
export function decodeAddress(record: Buffer): string | undefined {
  let text: string;
  try {
    text = utf8.decode(record.subarray(1));
  } catch {
    return undefined;
  }
  return hasControlCharacter(text) ? undefined : text;
}

export function parseControlFile(
  bytes: Buffer,
  limits: ControlFileLimits = DEFAULT_CONTROL_FILE_LIMITS,
): ControlFileResult {
  if (bytes.length > limits.maxBytes) {
    return failure('too-large', `control file is larger than ${limits.maxBytes} bytes`);
  }
  if (bytes.length === 0) return failure('no-sender', 'control file is empty');
  if (bytes.includes(0)) return failure('nul-byte', 'control file contains a NUL byte');
  if (bytes[bytes.length - 1] !== NEWLINE) {
    return failure('truncated', 'control file does not end with a newline');
  }
  const records = splitRecords(bytes, limits.maxLineBytes);
  if (records === undefined) {
    return failure('too-large', `control file has a line longer than ${limits.maxLineBytes} bytes`);
  }
  return checkRecords(records);
}

export function formatControlFile(file: ControlFile): Buffer {
  const parts: Buffer[] = [];
  for (const record of file.records) parts.push(record, NEWLINE_BYTES);
  return Buffer.concat(parts);
}

function splitRecords(bytes: Buffer, maxLineBytes: number): Buffer[] | undefined {
  const records: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end - start > maxLineBytes) return undefined;
    records.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return records;
}

function checkRecords(records: Buffer[]): ControlFileResult {
  const first = records[0];
  if (first === undefined || recordType(first) !== 's') {
    return failure('no-sender', 'the first record of the control file is not the sender (s)');
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Buffer;
    const type = recordType(record);
    if (type === 's' && i > 0) {
      return failure('duplicate-sender', `control file has a second sender record on line ${i + 1}`);
    }
    if (ADDRESS_RECORDS.has(type) && decodeAddress(record) === undefined) {
      return failure('bad-encoding', `address record ${type} on line ${i + 1} is not clean UTF-8`);
    }
  }
  return ok({ records });
}

function failure(code: ControlFileErrorCode, message: string): ControlFileResult {
  return fail({ code, message });
}

import { readFileSync } from 'node:fs';
import { errnoCode } from '../../lib/errno';

/*
 * Node decodes the command line and the environment as UTF-8 and replaces every byte that is
 * not UTF-8 with U+FFFD: `caf\xe9` arrives as `caf\ufffd`. Where the bytes matter (an SRS hash
 * covers them, as Mail::SRS hashes whatever bytes it is given), they are read again from /proc
 * as binary strings: one character per byte (Buffer's 'latin1'), which Buffer.from(s, 'latin1')
 * turns back into the same bytes.
 */

/** `text`'s UTF-8 bytes as a binary string. */
export function binaryOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A binary string as text, for messages: bytes that are not UTF-8 become U+FFFD. */
export function textOf(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}

/** Whether a binary string holds UTF-8, so that textOf loses nothing. */
export function isUtf8(binary: string): boolean {
  return binaryOf(textOf(binary)) === binary;
}

/**
 * `args` (what Node made of the arguments after the script) byte for byte, from
 * /proc/self/cmdline, whose last entries they are. When /proc cannot tell (none, or entries
 * that do not decode to `args`), `args`' own UTF-8 bytes.
 */
export function rawArgs(args: readonly string[], read: () => Buffer = () => readFileSync('/proc/self/cmdline')): string[] {
  const entries = procEntries(read);
  const tail = entries.slice(Math.max(0, entries.length - args.length));
  if (tail.length === args.length && tail.every((entry, i) => textOf(entry) === args[i])) return tail;
  return args.map(binaryOf);
}

/**
 * The environment variable `name`, whose decoded `value` Node has, byte for byte from
 * /proc/self/environ (the environment the process started with); `value`'s own UTF-8 bytes
 * when /proc cannot tell.
 */
export function rawEnv(
  name: string,
  value: string | undefined,
  read: () => Buffer = () => readFileSync('/proc/self/environ'),
): string | undefined {
  if (value === undefined) return undefined;
  const prefix = `${name}=`;
  const raw = procEntries(read).find((entry) => entry.startsWith(prefix) && textOf(entry.slice(prefix.length)) === value);
  return raw === undefined ? binaryOf(value) : raw.slice(prefix.length);
}

/** NUL-terminated entries as binary strings; none when the file cannot be read. */
function procEntries(read: () => Buffer): string[] {
  let bytes: Buffer;
  try {
    bytes = read();
  } catch (error) {
    if (errnoCode(error) === undefined) throw error;
    return [];
  }
  const entries = bytes.toString('latin1').split('\0');
  // The last entry ends with a NUL too: the piece after it is empty.
  entries.pop();
  return entries;
}

/** An address split into its local part and domain. */
export interface AddressParts {
  readonly local: string;
  readonly domain: string;
}

/**
 * Splits at the LAST `@`, as Mail::SRS does, so the domain never contains `@`
 * (the local part may; callers decide whether that is acceptable).
 * Null when there is no `@` or the domain is empty.
 */
export function splitAddress(address: string): AddressParts | null {
  const at = address.lastIndexOf('@');
  if (at < 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The SRS form a local part announces: `SRS0`/`SRS1` in any case, then `=`, `+` or `-`. */
export type SrsTag = 'SRS0' | 'SRS1';

const LOWER_S = 0x73;
const LOWER_R = 0x72;
const ASCII_CASE_BIT = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;

function isTagSeparator(code: number): boolean {
  return code === 0x3d /* = */ || code === 0x2b /* + */ || code === 0x2d /* - */;
}

/**
 * Char codes instead of a regex: this runs on every recipient of every message.
 * OR-ing the case bit only maps A-Z onto a-z here because the targets are letters.
 */
export function srsTagOf(localPart: string): SrsTag | null {
  if (localPart.length < 5) return null;
  if ((localPart.charCodeAt(0) | ASCII_CASE_BIT) !== LOWER_S) return null;
  if ((localPart.charCodeAt(1) | ASCII_CASE_BIT) !== LOWER_R) return null;
  if ((localPart.charCodeAt(2) | ASCII_CASE_BIT) !== LOWER_S) return null;
  if (!isTagSeparator(localPart.charCodeAt(4))) return null;
  const digit = localPart.charCodeAt(3);
  if (digit === DIGIT_0) return 'SRS0';
  if (digit === DIGIT_1) return 'SRS1';
  return null;
}

/** True for local parts of the form `SRS0=…`/`SRS1+…` (tag case-insensitive; separator `=`, `+` or `-`). */
export function isSrsLocalPart(localPart: string): boolean {
  return srsTagOf(localPart) !== null;
}

/** Case-insensitive for A-Z only, like Perl's `lc` on byte strings (Mail::SRS compares domains so). */
export function equalsIgnoringAsciiCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (asciiLowerCode(a.charCodeAt(i)) !== asciiLowerCode(b.charCodeAt(i))) return false;
  }
  return true;
}

function asciiLowerCode(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | ASCII_CASE_BIT : code;
}

const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_UPPER_RUN = /[A-Z]+/g;

/**
 * Lower-cases A-Z only. Mail::SRS hashes `lc` of byte strings, which leaves non-ASCII bytes
 * alone; String#toLowerCase would also fold e.g. `Ö`, giving a different hash.
 */
export function lowerAscii(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.replace(ASCII_UPPER_RUN, (run) => run.toLowerCase());
}

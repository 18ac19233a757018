/**
 * The SRS0 timestamp: the day number modulo 1024, as two characters of the RFC 4648 base32
 * alphabet. Node has no base32 codec, and two table lookups are all this needs.
 */
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Distinct timestamps: two base32 characters. Ages are counted modulo this. */
export const TIMESTAMP_SLOTS = 1024;

const MS_PER_DAY = 86_400_000;

/** Every timestamp text, so forwarding concatenates nothing for it. */
const TIMESTAMP_TEXTS: readonly string[] = Array.from(
  { length: TIMESTAMP_SLOTS },
  (_, slot) => BASE32_ALPHABET.charAt(slot >> 5) + BASE32_ALPHABET.charAt(slot & 31),
);

/** Char code → 5-bit value, -1 where the char is no base32 digit; lower case accepted (Mail::SRS upper-cases first). */
const BASE32_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let value = 0; value < BASE32_ALPHABET.length; value++) {
    const upper = BASE32_ALPHABET.charCodeAt(value);
    values[upper] = value;
    values[String.fromCharCode(upper).toLowerCase().charCodeAt(0)] = value;
  }
  return values;
})();

/** Whole days since the epoch (UTC), as Mail::SRS counts them. */
export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY);
}

export function formatTimestamp(day: number): string {
  const slot = ((day % TIMESTAMP_SLOTS) + TIMESTAMP_SLOTS) % TIMESTAMP_SLOTS;
  return TIMESTAMP_TEXTS[slot] as string;
}

/**
 * The slot 0..1023 of a timestamp text, or null unless it is exactly two base32 characters:
 * Mail::SRS takes any length, which is what CVE-2020-35573 exploited in other parsers.
 */
export function parseTimestamp(text: string): number | null {
  if (text.length !== 2) return null;
  const high = BASE32_VALUES[text.charCodeAt(0)] ?? -1;
  const low = BASE32_VALUES[text.charCodeAt(1)] ?? -1;
  if (high < 0 || low < 0) return null;
  return (high << 5) | low;
}

/** Days from the stamp's slot to `day`, 0..1023, across the 1024-day wrap. A stamp from tomorrow is 1023 days old. */
export function timestampAgeDays(slot: number, day: number): number {
  return (((day - slot) % TIMESTAMP_SLOTS) + TIMESTAMP_SLOTS) % TIMESTAMP_SLOTS;
}

import { createSrs, type Srs, type SrsInit } from '../../../lib/srs';

/** 2020-01-01T00:01:00Z: day 18262, timestamp 2W (the known example of the vectors). */
export const NOW_S = 1577836860;
export const DAY_S = 86_400;

export const secret = (text: string): Buffer => Buffer.from(text, 'utf8');

/** An instance with secret tops3cr3t whose clock stands `days` after NOW_S. */
export function srsAt(days: number, init: Partial<SrsInit> = {}): Srs {
  return createSrs({ secrets: [secret('tops3cr3t')], now: () => (NOW_S + days * DAY_S) * 1000, ...init });
}

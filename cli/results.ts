import type { SrsResult } from '../lib/srs';
import { STATUS } from './exitStatus';
import { fail, type CliIo } from './io';

/**
 * Prints one result line per address, in order, and stops at the first failure with `status`,
 * as Debian's `srs` does (the lines before it are already printed).
 */
export function writeResults(
  io: CliIo,
  addresses: readonly string[],
  transform: (address: string) => SrsResult,
  status: number,
): number {
  for (const address of addresses) {
    const result = transform(address);
    if (!result.ok) return fail(io, `${address}: ${result.message} (${result.code})`, status);
    io.stdout(`${result.address}\n`);
  }
  return STATUS.ok;
}

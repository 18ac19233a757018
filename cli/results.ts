import type { AddressEncoding, SrsResult } from '../lib/srs';
import { STATUS } from './exitStatus';
import { fail, type CliIo } from './io';
import { textOf } from './rawInput';

/**
 * Prints one result line per address, in order, and stops at the first failure with `status`,
 * as Debian's `srs` does (the lines before it are already printed). With 'latin1' the
 * addresses are binary strings (rawInput) and the results are printed as their bytes.
 */
export function writeResults(
  io: CliIo,
  addresses: readonly string[],
  transform: (address: string) => SrsResult,
  status: number,
  encoding: AddressEncoding = 'utf8',
): number {
  for (const address of addresses) {
    const result = transform(address);
    if (!result.ok) {
      const shown = encoding === 'utf8' ? address : textOf(address);
      return fail(io, `${shown}: ${result.message} (${result.code})`, status);
    }
    const line = `${result.address}\n`;
    io.stdout(encoding === 'utf8' ? line : Buffer.from(line, 'latin1'));
  }
  return STATUS.ok;
}

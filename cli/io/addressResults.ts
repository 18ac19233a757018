import type { Failure, Result } from '../../lib/result';
import type { AddressEncoding } from '../../lib/srs';
import { STATUS } from './exitStatus';
import { fail, type CliIo } from './cliIo';
import { textOf } from './rawInput';

/** An SRS result, or a failure of the store behind it (codes: SRS error codes, unknown-alias, no-store, store-*). */
export type AddressResult = Result<string, Failure<string>>;

/**
 * Prints one result line per address, in order, and stops at the first failure with `status`,
 * as Debian's `srs` does (the lines before it are already printed). With 'latin1' the
 * addresses are binary strings (rawInput) and the results are printed as their bytes.
 */
export async function writeResults(
  io: CliIo,
  addresses: readonly string[],
  transform: (address: string) => AddressResult | Promise<AddressResult>,
  status: number,
  encoding: AddressEncoding = 'utf8',
): Promise<number> {
  for (const address of addresses) {
    const result = await transform(address);
    if (!result.ok) {
      const shown = encoding === 'utf8' ? address : textOf(address);
      return fail(io, `${shown}: ${result.error.message} (${result.error.code})`, status);
    }
    const line = `${result.value}\n`;
    io.stdout(encoding === 'utf8' ? line : Buffer.from(line, 'latin1'));
  }
  return STATUS.ok;
}

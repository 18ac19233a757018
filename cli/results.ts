import { STATUS } from './commands/status';
import { fail, type CliIo } from './io';

/** An SRS result, or a failure of the store behind it (codes: SRS error codes, unknown-alias, no-store, store-*). */
export type AddressResult =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * Prints one result line per address, in order, and stops at the first failure with `status`,
 * as Debian's `srs` does (the lines before it are already printed).
 */
export async function writeResults(
  io: CliIo,
  addresses: readonly string[],
  transform: (address: string) => AddressResult | Promise<AddressResult>,
  status: number,
): Promise<number> {
  for (const address of addresses) {
    const result = await transform(address);
    if (!result.ok) return fail(io, `${address}: ${result.message} (${result.code})`, status);
    io.stdout(`${result.address}\n`);
  }
  return STATUS.ok;
}

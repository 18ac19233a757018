import { parseCommandLine } from '../args';
import { fail, type CliIo } from '../io';
import { writeResults } from '../results';
import { setUpSrs, SRS_OPTIONS } from './srsOptions';
import { STATUS } from '../exitStatus';

/** `srsctl reverse ADDRESS...`: the original address of each SRS address, one per line. */
export async function runReverse(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, SRS_OPTIONS);
  if (!parsed.ok) return fail(io, parsed.message, STATUS.usage);
  const { values, positionals } = parsed.parsed;
  if (positionals.length === 0) return fail(io, 'reverse needs at least one ADDRESS', STATUS.usage);
  const setup = await setUpSrs(values, io);
  if (!setup.ok) return setup.status;
  return writeResults(io, positionals, (address) => setup.srs.reverse(address), STATUS.refused);
}

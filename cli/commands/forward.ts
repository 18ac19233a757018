import { parseAlias, parseCommandLine } from '../args';
import { fail, type CliIo } from '../io';
import { writeResults } from '../results';
import { setUpSrs, SRS_OPTIONS } from './srsOptions';
import { STATUS } from '../exitStatus';

/** `srsctl forward ADDRESS... [--alias DOMAIN]`: one SRS address per line. */
export async function runForward(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, SRS_OPTIONS);
  if (!parsed.ok) return fail(io, parsed.message, STATUS.usage);
  const { values, positionals } = parsed.parsed;
  if (positionals.length === 0) return fail(io, 'forward needs at least one ADDRESS', STATUS.usage);
  const setup = await setUpSrs(values, io);
  if (!setup.ok) return setup.status;
  const alias = setup.alias === undefined ? undefined : parseAlias(setup.alias);
  if (alias === undefined) {
    return fail(io, 'forward needs the SRS domain: --alias DOMAIN (or the policy, without --secret)', STATUS.usage);
  }
  return writeResults(io, positionals, (address) => setup.srs.forward(address, alias), STATUS.refused);
}

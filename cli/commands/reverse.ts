import { parseCommandLine } from '../io/commandLine';
import { fail, warn, type CliIo } from '../io/cliIo';
import { openPolicyStore, reverseWithStore } from '../srsSetup/senderStore';
import { writeResults } from '../io/addressResults';
import { setUpSrs, SRS_OPTIONS } from '../srsSetup/srsOptions';
import { STATUS } from '../io/exitStatus';

/** `srsctl reverse ADDRESS...`: the original address of each SRS address, one per line. */
export async function runReverse(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, SRS_OPTIONS);
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  const { values, positionals } = parsed.value;
  if (positionals.length === 0) return fail(io, 'reverse needs at least one ADDRESS', STATUS.usage);
  const setup = await setUpSrs(values, io);
  if (!setup.ok) return setup.error;
  const { policy, srs } = setup.value;
  if (policy === undefined) return writeResults(io, positionals, (address) => srs.reverse(address), STATUS.refused);
  const opened = await openPolicyStore(policy);
  if (!opened.ok) warn(io, `the sender store ${opened.error.location} cannot be opened: ${opened.error.message}`);
  const store = opened.ok ? opened.value : null;
  try {
    return await writeResults(io, positionals, (address) => reverseWithStore(address, srs, store), STATUS.refused);
  } finally {
    await store?.close();
  }
}

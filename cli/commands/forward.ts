import { parseAlias, parseCommandLine } from '../io/commandLine';
import { fail, warn, type CliIo } from '../io/cliIo';
import { forwardWithStore, openPolicyStore } from '../srsSetup/senderStore';
import { writeResults } from '../io/addressResults';
import { setUpSrs, SRS_OPTIONS } from '../srsSetup/srsOptions';
import { STATUS } from '../io/exitStatus';

/** `srsctl forward ADDRESS... [--alias DOMAIN]`: one SRS address per line. */
export async function runForward(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, SRS_OPTIONS);
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  const { values, positionals } = parsed.value;
  if (positionals.length === 0) return fail(io, 'forward needs at least one ADDRESS', STATUS.usage);
  const setup = await setUpSrs(values, io);
  if (!setup.ok) return setup.error;
  const alias = setup.value.alias === undefined ? undefined : parseAlias(setup.value.alias);
  if (alias === undefined) {
    return fail(io, 'forward needs the SRS domain: --alias DOMAIN (or the policy, without --secret)', STATUS.usage);
  }
  const { policy, srs } = setup.value;
  if (policy === undefined) return writeResults(io, positionals, (address) => srs.forward(address, alias), STATUS.refused);
  const opened = await openPolicyStore(policy);
  if (!opened.ok) warn(io, `the sender store ${opened.error.location} cannot be opened: ${opened.error.message}`);
  const store = opened.ok ? opened.value : null;
  try {
    const forwardPolicy = { ...policy, srsDomain: alias };
    return await writeResults(
      io,
      positionals,
      (address) => forwardWithStore(address, srs, forwardPolicy, store, (message) => warn(io, message)),
      STATUS.refused,
    );
  } finally {
    await store?.close();
  }
}

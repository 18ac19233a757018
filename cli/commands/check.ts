import { DEFAULT_POLICY_PATH } from '../../lib/config';
import { parseCommandLine } from '../io/commandLine';
import { runChecks } from '../check/checks';
import { gatherCheckFacts } from '../check/facts';
import { formatCheckReport } from '../check/format';
import { fail, type CliIo } from '../io/cliIo';
import { STATUS } from '../io/exitStatus';

/**
 * `srsctl check [--config F] [--before-start]`: every problem with its fix; exit 1 when there
 * is one. `--before-start` (install.sh, before `filterctl start`): an inactive or stopped
 * filter is a note, not a problem.
 */
export async function runCheck(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, { config: { type: 'string' }, 'before-start': { type: 'boolean' } });
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  if (parsed.value.positionals.length > 0) return fail(io, 'check takes no arguments', STATUS.usage);
  const { config, 'before-start': beforeStart } = parsed.value.values;
  const results = runChecks(await gatherCheckFacts(config ?? DEFAULT_POLICY_PATH), { beforeStart: beforeStart === true });
  io.stdout(formatCheckReport(results));
  return results.some((result) => result.kind === 'problem') ? STATUS.refused : STATUS.ok;
}

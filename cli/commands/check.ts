import { DEFAULT_POLICY_PATH } from '../../lib/config';
import { parseCommandLine } from '../args';
import { runChecks } from '../check/checks';
import { gatherCheckFacts } from '../check/facts';
import { formatCheckReport } from '../check/format';
import { fail, type CliIo } from '../io';
import { STATUS } from './status';

/** `srsctl check [--config F]`: every problem with its fix; exit 1 when there is one. */
export async function runCheck(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, { config: { type: 'string' } });
  if (!parsed.ok) return fail(io, parsed.message, STATUS.usage);
  if (parsed.parsed.positionals.length > 0) return fail(io, 'check takes no arguments', STATUS.usage);
  const results = runChecks(await gatherCheckFacts(parsed.parsed.values.config ?? DEFAULT_POLICY_PATH));
  io.stdout(formatCheckReport(results));
  return results.some((result) => result.kind === 'problem') ? STATUS.refused : STATUS.ok;
}

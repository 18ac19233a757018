import { askFromCommandLine } from '../control/controlClient';
import { STATUS } from '../io/exitStatus';
import { fail, type CliIo } from '../io/cliIo';

/**
 * `srsctl reload [--config F] [--name N]`: the running filter reads its policy and secrets
 * again and says whether it took them. Exit 0 only when it did; 1 when it refused (each problem
 * printed), 3 when no filter runs.
 */
export async function runReload(args: readonly string[], io: CliIo): Promise<number> {
  const asked = await askFromCommandLine('reload', args, io);
  if (!asked.ok) return asked.error;
  const response = asked.value;
  if (response.kind !== 'reload') return fail(io, `unexpected answer from the filter: ${response.kind}`, STATUS.refused);
  const verdict = response.reload;
  if (verdict.applied) {
    const changes = verdict.changes.length === 0 ? 'nothing changed' : `changed ${verdict.changes.join('; ')}`;
    io.stdout(`reload applied: ${changes}\nsecrets: ${verdict.secrets}\n`);
    return STATUS.ok;
  }
  io.stdout(`reload refused: ${verdict.problems.length} problem(s)\n`);
  for (const problem of verdict.problems) io.stdout(`  ${problem}\n`);
  io.stdout('the old policy stays in force\n');
  return STATUS.refused;
}

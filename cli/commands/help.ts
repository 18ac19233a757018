import type { CliIo } from '../io/cliIo';
import { SRSCTL_USAGE } from '../io/srsctlUsage';
import { STATUS } from '../io/exitStatus';

export async function runHelp(_args: readonly string[], io: CliIo): Promise<number> {
  io.stdout(SRSCTL_USAGE);
  return STATUS.ok;
}

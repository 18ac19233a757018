import type { CliIo } from '../io';
import { SRSCTL_USAGE } from '../usage';
import { STATUS } from '../exitStatus';

export async function runHelp(_args: readonly string[], io: CliIo): Promise<number> {
  io.stdout(SRSCTL_USAGE);
  return STATUS.ok;
}

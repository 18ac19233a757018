import { SRS_TAG_FILES } from '../check/aliasFiles';
import { fail, type CliIo } from '../io/cliIo';
import { STATUS } from '../io/exitStatus';

/**
 * `srsctl courier alias-files`: the aliasdir files that make Courier accept bounces to SRS0-
 * and SRS1- addresses, one per line; install.sh writes (and on removal takes away) these.
 */
export async function runCourier(args: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'alias-files') {
    return fail(io, `courier needs alias-files, not ${action === undefined ? 'nothing' : `'${action}'`}`, STATUS.usage);
  }
  if (rest.length > 0) return fail(io, 'courier alias-files takes no arguments', STATUS.usage);
  io.stdout(SRS_TAG_FILES.map((name) => `${name}\n`).join(''));
  return STATUS.ok;
}

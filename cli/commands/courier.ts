import { SRS_TAG_FILES } from '../check/aliasFiles';
import { discoverCourierPaths, type CourierPaths } from '../../lib/courier/host';
import { fail, type CliIo } from '../io/cliIo';
import { STATUS } from '../io/exitStatus';

/** What `courier get` answers: every field srsfilter reads from courier-config. */
const FIELDS: readonly (keyof CourierPaths)[] = ['sysconfdir', 'localstatedir', 'libexecdir', 'bindir', 'sbindir', 'mailuser', 'mailgroup'];

/** `srsctl courier get|alias-files …`: what install.sh and the package's scripts ask about Courier, so that they read it as srsfilter does. */
export async function runCourier(args: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'get') return runGet(rest, io);
  if (action === 'alias-files') return runAliasFiles(rest, io);
  return fail(io, `courier needs get or alias-files, not ${action === undefined ? 'nothing' : `'${action}'`}`, STATUS.usage);
}

/** `srsctl courier get FIELD...`: courier-config's value of each FIELD, one line each, in the order asked. */
async function runGet(fields: readonly string[], io: CliIo): Promise<number> {
  if (fields.length === 0) return fail(io, `courier get needs a FIELD: ${FIELDS.join(', ')}`, STATUS.usage);
  const unknown = fields.filter((field) => !(FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) return fail(io, `unknown field ${unknown.join(', ')}: use ${FIELDS.join(', ')}`, STATUS.usage);
  const found = await discoverCourierPaths();
  if (!found.ok) return fail(io, `cannot read Courier's paths: ${found.error.message}`, STATUS.refused);
  io.stdout(fields.map((field) => `${found.value[field as keyof CourierPaths]}\n`).join(''));
  return STATUS.ok;
}

/**
 * `srsctl courier alias-files`: the aliasdir files that make Courier accept bounces to SRS0-
 * and SRS1- addresses, one per line; install.sh writes (and on removal takes away) these.
 */
async function runAliasFiles(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length > 0) return fail(io, 'courier alias-files takes no arguments', STATUS.usage);
  io.stdout(SRS_TAG_FILES.map((name) => `${name}\n`).join(''));
  return STATUS.ok;
}

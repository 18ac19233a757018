import { randomBytes } from 'node:crypto';
import { chmod, chown, unlink, writeFile } from 'node:fs/promises';
import { SECRETS_FILE_MODE } from '../../lib/config/secretsPermissions';
import { groupId } from '../../lib/courier/host';
import { errnoCode } from '../../lib/errno';
import { fail, type CliIo } from '../io/cliIo';
import { parseCommandLine } from '../io/commandLine';
import { STATUS } from '../io/exitStatus';

const SECRET_BYTES = 32;
/** chown's "leave the owner as it is". */
const SAME_OWNER = -1;

/**
 * A new secret: 32 random bytes in base64, with NO line ending. Debian's `srs --secretfile`
 * keys a line with its newline, postsrsd and the policy strip it; without one both read the
 * same key, so the file works with every SRS tool.
 * `--output FILE` creates FILE with the secrets file's mode (0640, whatever the umask) and
 * never replaces an existing one; `--group GROUP` gives it to that group (the mail group), so
 * that the file passes the permission rule the filter applies.
 */
export async function runGenkey(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, { output: { type: 'string' }, group: { type: 'string' } });
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  if (parsed.value.positionals.length > 0) return fail(io, 'genkey takes no arguments', STATUS.usage);
  const { output, group } = parsed.value.values;
  const secret = randomBytes(SECRET_BYTES).toString('base64');
  if (output === undefined) {
    if (group !== undefined) return fail(io, '--group needs --output FILE', STATUS.usage);
    io.stdout(secret);
    return STATUS.ok;
  }
  const gid = group === undefined ? SAME_OWNER : await groupId(group);
  if (gid === undefined) return fail(io, `the group ${group} is unknown on this system`, STATUS.refused);
  try {
    // Readable by its owner alone until it belongs to the group.
    await writeFile(output, secret, { flag: 'wx', mode: SECRETS_FILE_MODE & 0o700 });
  } catch (error) {
    const code = errnoCode(error);
    const reason =
      code === 'EEXIST'
        ? 'it exists and a secret is never replaced (to rotate, put the new secret on the first line and keep the old ones below it)'
        : (code ?? String(error));
    return fail(io, `cannot create ${output}: ${reason}`, STATUS.refused);
  }
  try {
    await chown(output, SAME_OWNER, gid);
    await chmod(output, SECRETS_FILE_MODE);
  } catch (error) {
    await unlink(output);
    return fail(io, `cannot give ${output} to ${group ?? 'its group'}: ${errnoCode(error) ?? String(error)}`, STATUS.refused);
  }
  return STATUS.ok;
}

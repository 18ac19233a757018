import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { errnoCode } from '../../lib/errno';
import { parseCommandLine } from '../io/commandLine';
import { fail, type CliIo } from '../io/cliIo';
import { STATUS } from '../io/exitStatus';

const SECRET_BYTES = 32;

/**
 * A new secret: 32 random bytes in base64, with NO line ending. Debian's `srs --secretfile`
 * keys a line with its newline, postsrsd and the policy strip it; without one both read the
 * same key, so the file works with every SRS tool.
 * `--output FILE` creates FILE with mode 0640 and never replaces an existing one.
 */
export async function runGenkey(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, { output: { type: 'string' } });
  if (!parsed.ok) return fail(io, parsed.message, STATUS.usage);
  if (parsed.parsed.positionals.length > 0) return fail(io, 'genkey takes no arguments', STATUS.usage);
  const secret = randomBytes(SECRET_BYTES).toString('base64');
  const output = parsed.parsed.values.output;
  if (output === undefined) {
    io.stdout(secret);
    return STATUS.ok;
  }
  try {
    await writeFile(output, secret, { flag: 'wx', mode: 0o640 });
  } catch (error) {
    const code = errnoCode(error);
    const reason =
      code === 'EEXIST'
        ? 'it exists and a secret is never replaced (to rotate, put the new secret on the first line and keep the old ones below it)'
        : (code ?? String(error));
    return fail(io, `cannot create ${output}: ${reason}`, STATUS.refused);
  }
  return STATUS.ok;
}

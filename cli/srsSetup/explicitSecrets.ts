import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { parseSecrets } from '../../lib/config/secrets';
import { errnoCode } from '../../lib/errno';
import { fail, ok, type Result } from '../../lib/result';
import type { AddressEncoding } from '../../lib/srs';
import { textOf } from '../io/rawInput';

/** Why the secret file cannot be used: the message, and the exit status Perl's `die` would have. */
export interface SecretFileUnreadable {
  readonly message: string;
  readonly errno: number;
}

export type ExplicitSecretsResult = Result<Buffer[], SecretFileUnreadable>;

/**
 * The secrets of `--secret S…` and `--secretfile F`, in the order Debian's `srs` uses: every
 * `--secret` first (the first one signs), then the lines of the file. The file is read the
 * Perl way (each line keeps its line ending in the key), so the same file gives the same
 * addresses as `srs --secretfile F`. On a read failure `errno` is the error's number: Perl's
 * `die` exits with $!, e.g. 2 for a missing file. `encoding` says how the arguments stand for
 * bytes: 'latin1' for binary strings (rawInput), so that a secret or a file name is used byte
 * for byte as Perl does.
 */
export async function readExplicitSecrets(
  secretArgs: readonly string[],
  secretFile: string | undefined,
  encoding: AddressEncoding = 'utf8',
): Promise<ExplicitSecretsResult> {
  const secrets = secretArgs.map((secret) => Buffer.from(secret, encoding));
  if (secretFile === undefined) return ok(secrets);
  try {
    return ok([...secrets, ...parseSecrets(await readFile(Buffer.from(secretFile, encoding)), 'perl')]);
  } catch (error) {
    const code = errnoCode(error) ?? 'EIO';
    const errno = (constants.errno as Record<string, number | undefined>)[code] ?? constants.errno.EIO;
    const shown = encoding === 'utf8' ? secretFile : textOf(secretFile);
    return fail({ message: `secret file ${shown} not readable: ${code}`, errno });
  }
}

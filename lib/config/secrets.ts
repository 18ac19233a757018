import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errnoCode } from '../errno';
import { fail, ok, type Result } from '../result';
import type { ConfigProblem } from './problems';
import { secretsFileCreation, secretsFileExposures, secretsFileFix, type MailOwners } from './secretsPermissions';

/**
 * How the lines of a secrets file become keys. Both skip blank (whitespace-only) lines and
 * lines starting with '#', and take one secret per line, the first signing:
 * - 'policy': the line ending (\n or \r\n) is stripped, as postsrsd does; trailing spaces stay.
 * - 'perl': each line KEEPS its line ending in the key, as Debian's `srs --secretfile` does
 *   (`push @secrets, $_` without chomp), so `srsctl --secretfile` gives the same addresses.
 */
export type SecretsReading = 'policy' | 'perl';

const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
/** Far more than a few dozen secrets, far less than would hurt to hold in memory. */
const MAX_SECRETS_FILE_BYTES = 64 * 1024;
/** Perl's \s on bytes: space, \t, \n, \v, \f, \r. */
const WHITESPACE: ReadonlySet<number> = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** Bytes, not text: a secret is any byte string and must be keyed exactly as written. */
export function parseSecrets(bytes: Buffer, reading: SecretsReading): Buffer[] {
  const secrets: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(LF, start);
    const end = newline < 0 ? bytes.length : newline + 1;
    const line = bytes.subarray(start, end);
    start = end;
    if (line[0] === HASH || line.every((byte) => WHITESPACE.has(byte))) continue;
    secrets.push(Buffer.from(reading === 'perl' ? line : withoutLineEnding(line)));
  }
  return secrets;
}

function withoutLineEnding(line: Buffer): Buffer {
  let end = line.length;
  if (line[end - 1] === LF) end--;
  if (line[end - 1] === CR) end--;
  return line.subarray(0, end);
}

/**
 * Whether the file must pass the permission rule (secretsPermissions.ts), as for the filter, or
 * is read as it is, as `srs --secretfile` reads it.
 */
export type ReadSecretsOptions =
  | { readonly checkPermissions: false }
  | { readonly checkPermissions: true; readonly mail: MailOwners };

/** Named in the fixes when no mail group is known: Debian's courier-mta uses `courier`. */
const DEBIAN_MAIL_GROUP = 'courier';

export type SecretsResult = Result<Buffer[], ConfigProblem>;

export async function readSecretsFile(
  path: string,
  reading: SecretsReading,
  options: ReadSecretsOptions,
): Promise<SecretsResult> {
  const refuse = (code: ConfigProblem['code'], message: string): SecretsResult =>
    fail({ code, file: path, line: null, column: null, key: 'secrets-file', message });
  const group = options.checkPermissions ? options.mail.group : DEBIAN_MAIL_GROUP;
  const fix = secretsFileFix(path, group);
  const create = secretsFileCreation(path, group);
  let handle;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the filter's start-up.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return refuse('unreadable', `cannot read the secrets file: ${describeOpenError(error, fix, create)}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return refuse('unreadable', 'the secrets file is not a regular file');
    if (stats.size > MAX_SECRETS_FILE_BYTES) {
      return refuse('unreadable', `the secrets file is too large (${stats.size} bytes; a secrets file holds a few lines)`);
    }
    const exposures = options.checkPermissions ? secretsFileExposures(stats, options.mail) : [];
    if (exposures.length > 0) {
      return refuse('insecure-permissions', `the secrets file ${exposures.map((exposure) => exposure.text).join('; it ')}; fix: ${fix}`);
    }
    const secrets = parseSecrets(await handle.readFile(), reading);
    if (secrets.length === 0) {
      const why = 'every line is blank or a # comment';
      return refuse('no-secrets', `the secrets file holds no secret (${why}); add the line \`srsctl genkey\` prints`);
    }
    return ok(secrets);
  } finally {
    await handle.close();
  }
}

function describeOpenError(error: unknown, fix: string, create: string): string {
  const code = errnoCode(error);
  if (code === 'ENOENT') return `no such file; create it: ${create}`;
  if (code === 'EACCES') return `permission denied (the filter runs as the mail user); fix: ${fix}`;
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? String(error);
}

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errnoCode } from '../errno';
import type { ConfigProblem } from './problems';

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

export interface ReadSecretsOptions {
  /** Refuse a file that others may change or read (srsfilter and srsctl check do). */
  readonly checkPermissions: boolean;
  /** Named in the fix for a permission problem; Debian's courier-mta uses `courier`. */
  readonly mailGroup?: string;
}

export type SecretsResult =
  | { readonly ok: true; readonly secrets: Buffer[] }
  | { readonly ok: false; readonly problem: ConfigProblem };

export async function readSecretsFile(
  path: string,
  reading: SecretsReading,
  options: ReadSecretsOptions,
): Promise<SecretsResult> {
  const fail = (code: ConfigProblem['code'], message: string): SecretsResult => ({
    ok: false,
    problem: { code, file: path, line: null, column: null, key: 'secrets-file', message },
  });
  const group = options.mailGroup ?? 'courier';
  const fix = `chmod 0640 ${path} && chown root:${group} ${path}`;
  const create = `srsctl genkey --output ${path} && chown root:${group} ${path}`;
  let handle;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the filter's start-up.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return fail('unreadable', `cannot read the secrets file: ${describeOpenError(error, fix, create)}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return fail('unreadable', 'the secrets file is not a regular file');
    if (stats.size > MAX_SECRETS_FILE_BYTES) {
      return fail('unreadable', `the secrets file is too large (${stats.size} bytes; a secrets file holds a few lines)`);
    }
    const exposure = options.checkPermissions ? describeExposure(stats.mode) : undefined;
    if (exposure !== undefined) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      return fail(
        'insecure-permissions',
        `the secrets file is ${exposure} (mode ${mode}): whoever reads the secret can forge bounces, ` +
          `whoever writes it can break them; fix: ${fix}`,
      );
    }
    const secrets = parseSecrets(await handle.readFile(), reading);
    if (secrets.length === 0) {
      const why = 'every line is blank or a # comment';
      return fail('no-secrets', `the secrets file holds no secret (${why}); add the line \`srsctl genkey\` prints`);
    }
    return { ok: true, secrets };
  } finally {
    await handle.close();
  }
}

/** The filter reads the file as the mail user through its group bit; nobody else needs it. */
function describeExposure(mode: number): string | undefined {
  const exposures = [
    mode & 0o020 ? 'group-writable' : '',
    mode & 0o002 ? 'world-writable' : '',
    mode & 0o004 ? 'world-readable' : '',
  ].filter((exposure) => exposure !== '');
  return exposures.length === 0 ? undefined : exposures.join(', ');
}

function describeOpenError(error: unknown, fix: string, create: string): string {
  const code = errnoCode(error);
  if (code === 'ENOENT') return `no such file; create it: ${create}`;
  if (code === 'EACCES') return `permission denied (the filter runs as the mail user); fix: ${fix}`;
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? String(error);
}

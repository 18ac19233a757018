import { createSrs, HASH_LENGTH_MAX } from '../../lib/srs';
import { parseAlias, parseCommandLine, parseInteger, parseSeparator } from '../io/commandLine';
import { readExplicitSecrets } from '../srsSetup/explicitSecrets';
import { fail, type CliIo } from '../io/cliIo';
import { textOf } from '../io/rawInput';
import { writeResults } from '../io/addressResults';
import { SRSCTL_USAGE } from '../io/srsctlUsage';

/*
 * Drop-in for Debian's /usr/bin/srs (Mail::SRS 0.31), measured:
 * - exit 1 with the usage on stdout for --help and for any option Getopt::Long refuses;
 * - exit 255 (Perl's `die`) for every other error, checked in this order: separator, zero
 *   hash length, no address, secret file, no secret, no --alias when forwarding, then each
 *   address in turn (the results before a failing one are already printed);
 * - a secret file that cannot be read exits with its errno (2 when missing), as `die` does
 *   while $! is set;
 * - --reverse wins over --forward; forward is the default.
 * Deliberate differences (all exit 255 here where Perl prints something odd): an empty
 * --secret, a hash length below 1 or above 27, an empty --alias domain, a sender with an empty
 * local part, and the stricter SRS parsing of lib/srs (see the vectors' README).
 * Not supported: Getopt::Long's abbreviations (`--rev`), single-dash long options
 * (`-reverse`) and upper-case option names; they are refused with exit 1.
 * Bytes: Perl hashes and prints the bytes it is given, UTF-8 or not. So `args` are binary
 * strings (cli/io/rawInput: one character per byte), and secrets, addresses, hashes and output
 * all stay bytes.
 */

const USAGE_STATUS = 1;
const DIE_STATUS = 255;

const OPTIONS = {
  separator: { type: 'string' },
  address: { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  secretfile: { type: 'string' },
  forward: { type: 'boolean' },
  reverse: { type: 'boolean' },
  alias: { type: 'string' },
  hashlength: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/**
 * Whether `args` are Debian `srs` arguments: none (srs then says what is missing), an option
 * first, or an address (it has an `@`; a subcommand name never does).
 */
export function looksLikeDropIn(args: readonly string[]): boolean {
  const [first] = args;
  return first === undefined || first.startsWith('-') || first.includes('@');
}

export async function runDropIn(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, OPTIONS);
  if (!parsed.ok) return usageError(io, parsed.error);
  const { values, positionals } = parsed.value;
  if (values.help === true) {
    io.stdout(SRSCTL_USAGE);
    return USAGE_STATUS;
  }
  const hashLength = values.hashlength === undefined ? 4 : parseInteger(values.hashlength);
  if (hashLength === undefined) return usageError(io, `value '${textOf(values.hashlength ?? '')}' invalid for option --hashlength (number expected)`);

  const separator = parseSeparator(values.separator ?? '=');
  if (separator === undefined) return fail(io, `separator must be one of = + -, not '${textOf(values.separator ?? '')}'`, DIE_STATUS);
  if (hashLength < 1 || hashLength > HASH_LENGTH_MAX) {
    return fail(io, `hash length must be from 1 to ${HASH_LENGTH_MAX}, not ${hashLength}`, DIE_STATUS);
  }
  const addresses = [...(values.address ?? []), ...positionals];
  if (addresses.length === 0) return fail(io, 'no address given', DIE_STATUS);

  const read = await readExplicitSecrets(values.secret ?? [], values.secretfile, 'latin1');
  if (!read.ok) return fail(io, read.error.message, read.error.errno);
  const secrets = read.value;
  if (secrets.length === 0) {
    return fail(io, 'no secret: give --secret, or a --secretfile with at least one non-blank line', DIE_STATUS);
  }
  if (secrets.some((secret) => secret.length === 0)) return fail(io, 'an empty secret is not supported', DIE_STATUS);
  const srs = createSrs({ secrets, hashLength, separator, addressEncoding: 'latin1' });

  if (values.reverse === true) return writeResults(io, addresses, (address) => srs.reverse(address), DIE_STATUS, 'latin1');
  if (values.alias === undefined) return fail(io, 'forwarding needs the alias domain: use --alias DOMAIN', DIE_STATUS);
  const alias = parseAlias(values.alias);
  if (alias === undefined) return fail(io, `--alias '${textOf(values.alias)}' has no domain`, DIE_STATUS);
  return writeResults(io, addresses, (address) => srs.forward(address, alias), DIE_STATUS, 'latin1');
}

function usageError(io: CliIo, message: string): number {
  io.stdout(SRSCTL_USAGE);
  return fail(io, message, USAGE_STATUS);
}

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fail, ok, type Result } from '../../lib/result';
import type { Separator } from '../../lib/srs';

type Options = NonNullable<ParseArgsConfig['options']>;
type Config<O extends Options> = { args: string[]; options: O; allowPositionals: true; strict: true; tokens: true };
export type ParsedArgs<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

/** The parsed words, or the one-line message parseArgs (or the empty-value rule) refused them with. */
export type ArgsResult<O extends Options> = Result<ParsedArgs<O>, string>;

/**
 * node:util parseArgs with Getopt::Long's reading of `--name value` (Debian's `srs` uses
 * Getopt::Long): the word after a string option is its value even when it starts with '-'
 * (`--separator -`, `--secret -x`, even `--separator --`). parseArgs refuses such values as
 * ambiguous unless written `--name=value`, so such pairs are joined into that form first.
 * `--name=` (an empty inline value) is refused and `--name ''` accepted, as Getopt::Long does.
 */
export function parseCommandLine<const O extends Options>(args: readonly string[], options: O): ArgsResult<O> {
  let parsed: ParsedArgs<O>;
  try {
    parsed = parseArgs({ args: joinStringValues(args, options), options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    if (isParseArgsError(error)) return fail(firstLine(error.message));
    throw error;
  }
  const emptyInline = parsed.tokens.find((token) => token.kind === 'option' && token.inlineValue === true && token.value === '');
  if (emptyInline?.kind === 'option') return fail(`option '${emptyInline.rawName}' requires an argument`);
  return ok(parsed);
}

function joinStringValues(args: readonly string[], options: Options): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return [...joined, ...args.slice(i)];
    const next = args[i + 1];
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next?.startsWith('-')) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** By its code, not instanceof: Node's own errors may come from another realm (e.g. under jest). */
function isParseArgsError(error: unknown): error is Error {
  return typeof error === 'object' && error !== null && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/** Getopt::Long's `=i`: an optional sign and digits, nothing else. */
export function parseInteger(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** The character after SRS0/SRS1, as `--separator` gives it. */
export function parseSeparator(text: string): Separator | undefined {
  return text === '=' || text === '+' || text === '-' ? text : undefined;
}

/** `--alias` as Debian's `srs` takes it: a domain, or an address whose domain is used; undefined when there is no domain. */
export function parseAlias(text: string): string | undefined {
  return text === '' || text.endsWith('@') ? undefined : text;
}

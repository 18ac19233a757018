import { DEFAULT_POLICY_PATH, type Policy } from '../../lib/config';
import { loadPolicySrs } from '../../lib/runtime';
import type { Srs } from '../../lib/srs';
import { parseCommandLine } from '../io/commandLine';
import { fail, failWithDetails, warn, type CliIo } from '../io/cliIo';
import { isUtf8, rawArgs, rawEnv, textOf } from '../io/rawInput';
import type { Result } from '../../lib/result';
import { EXIT, type NotDelivered } from './exitStatus';
import { reinject, sendmailPath, type Reinjection } from './sendmail';

/** What a pipe alias command knows when it decides where the message goes. */
export interface PipeAliasContext {
  readonly policy: Policy;
  readonly srs: Srs;
  /** The command line after the options, e.g. the forwarding targets. */
  readonly positionals: readonly string[];
  /** Courier's delivery variables: SENDER, RECIPIENT, … (dot-courier(5)). */
  readonly env: NodeJS.ProcessEnv;
}

/** Where the message goes, with a note for the delivery log when it goes on in an unusual way. */
export interface PlannedReinjection {
  readonly reinjection: Reinjection;
  readonly note?: string;
}

export type Plan = Result<PlannedReinjection, NotDelivered>;

/**
 * The part srs-forwarder and srs-reverser share: `[--config F]`, the policy and its secrets,
 * then re-injection of the message with the sender and recipients the command planned.
 * Whatever they print lands in Courier's delivery log (stdout and stderr both).
 */
export async function runPipeAlias(
  args: readonly string[],
  io: CliIo,
  plan: (context: PipeAliasContext) => Promise<Plan>,
): Promise<number> {
  const parsed = parseCommandLine(args, { config: { type: 'string' } });
  if (!parsed.ok) return fail(io, parsed.error, EXIT.tempFail);
  const notUtf8 = findNotUtf8(args, process.env);
  if (notUtf8 !== undefined) {
    const message = `${notUtf8} is not UTF-8: sendmail cannot be given its bytes unchanged, so the message is refused rather than sent with U+FFFD in their place`;
    return fail(io, message, EXIT.invalidAddress);
  }
  const configPath = parsed.value.values.config ?? DEFAULT_POLICY_PATH;
  const loaded = await loadPolicySrs(configPath, { permissions: 'warn' });
  if (!loaded.ok) return failWithDetails(io, loaded.error, `cannot use the policy ${configPath}`, EXIT.tempFail);
  for (const warning of loaded.value.warnings) warn(io, warning);

  const { policy, srs } = loaded.value;
  const planned = await plan({ policy, srs, positionals: parsed.value.positionals, env: process.env });
  if (!planned.ok) return fail(io, planned.error.message, planned.error.status);
  const { reinjection, note } = planned.value;
  if (note !== undefined) warn(io, note);
  const result = await reinject(sendmailPath(process.env), reinjection);
  return result.ok ? EXIT.delivered : fail(io, result.error.message, result.error.status);
}

/**
 * The first argument, SENDER or RECIPIENT whose bytes are not UTF-8, described; read byte for
 * byte, since Node decodes them with U+FFFD for such bytes. Node passes a child's arguments as
 * UTF-8, so neither such an address nor its SRS form (whose hash covers its bytes) could reach
 * sendmail as it is.
 */
function findNotUtf8(args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const argument = rawArgs(args).find((raw) => !isUtf8(raw));
  if (argument !== undefined) return `the argument ${textOf(argument)}`;
  for (const name of ['SENDER', 'RECIPIENT'] as const) {
    const raw = rawEnv(name, env[name]);
    if (raw !== undefined && !isUtf8(raw)) return `${name} <${textOf(raw)}>`;
  }
  return undefined;
}

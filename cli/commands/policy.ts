import { DEFAULT_POLICY_PATH, formatProblem, loadPolicy, type Policy } from '../../lib/config';
import { KNOWN_KEYS } from '../../lib/config/schema';
import { findShippedPolicy, renderShippedPolicy } from '../../lib/config/shippedPolicy';
import { suggestKey } from '../../lib/config/suggestKey';
import { fail, failWithDetails, type CliIo } from '../io/cliIo';
import { parseCommandLine } from '../io/commandLine';
import { STATUS } from '../io/exitStatus';

/** `srsctl policy init|get …`: what install.sh and the package's scripts ask of the policy, so that they read it as the filter does. */
export async function runPolicy(args: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'init') return runInit(rest, io);
  if (action === 'get') return runGet(rest, io);
  return fail(io, `policy needs init or get, not ${action === undefined ? 'nothing' : `'${action}'`}`, STATUS.usage);
}

/** `srsctl policy init --srs-domain DOMAIN`: the shipped policy (config/srsfilter.yaml) with that srs-domain, on stdout. */
async function runInit(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, { 'srs-domain': { type: 'string' } });
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  if (parsed.value.positionals.length > 0) return fail(io, 'policy init takes no arguments', STATUS.usage);
  const srsDomain = parsed.value.values['srs-domain'];
  if (srsDomain === undefined) return fail(io, 'policy init needs --srs-domain DOMAIN', STATUS.usage);
  const shipped = findShippedPolicy();
  if (shipped === undefined) return fail(io, 'the shipped policy (config/srsfilter.yaml) is not beside this srsctl', STATUS.refused);
  const rendered = await renderShippedPolicy(shipped, srsDomain);
  if (!rendered.ok) return failWithDetails(io, rendered.error.map(formatProblem), `--srs-domain '${srsDomain}' is refused`, STATUS.usage);
  io.stdout(rendered.value);
  return STATUS.ok;
}

/**
 * `srsctl policy get KEY [--config FILE]`: KEY's value as the filter reads it, defaults applied:
 * one line, or one line per entry of a list, nothing for a key without a value.
 */
async function runGet(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, { config: { type: 'string' } });
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  const [key, ...extra] = parsed.value.positionals;
  if (key === undefined || extra.length > 0) return fail(io, 'policy get needs exactly one KEY', STATUS.usage);
  const known = KNOWN_KEYS[''] ?? [];
  if (!known.includes(key)) {
    const suggestion = suggestKey(key, known);
    return fail(io, `unknown key '${key}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`, STATUS.usage);
  }
  const configPath = parsed.value.values.config ?? DEFAULT_POLICY_PATH;
  const loaded = await loadPolicy(configPath);
  if (!loaded.ok) return failWithDetails(io, loaded.error.map(formatProblem), `cannot use the policy ${configPath}`, STATUS.usage);
  const lines = valueLines(loaded.value[fieldOf(key)]);
  if (lines === undefined) return fail(io, `${key} has no plain value to print: read it in ${configPath}`, STATUS.usage);
  io.stdout(lines.map((line) => `${line}\n`).join(''));
  return STATUS.ok;
}

/** `secrets-file` → `secretsFile`: the policy's fields are its keys in camel case. */
function fieldOf(key: string): keyof Policy {
  return key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()) as keyof Policy;
}

function valueLines(value: unknown): string[] | undefined {
  if (value === null) return [];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value as string[];
  return undefined;
}

import { DEFAULT_POLICY_PATH, type Policy } from '../../lib/config';
import { fail as failure, ok, type Failure, type Result } from '../../lib/result';
import { loadPolicySrs } from '../../lib/runtime';
import { createSrs, HASH_LENGTH_MAX, type SrsInit, type Srs } from '../../lib/srs';
import { parseInteger, parseSeparator, type ParsedArgs } from '../io/commandLine';
import { readExplicitSecrets } from './explicitSecrets';
import { fail, failWithDetails, warn, type CliIo } from '../io/cliIo';
import { STATUS } from '../io/exitStatus';

/** The options of `srsctl forward` and `srsctl reverse`. */
export const SRS_OPTIONS = {
  config: { type: 'string' },
  secret: { type: 'string', multiple: true },
  secretfile: { type: 'string' },
  alias: { type: 'string' },
  hashlength: { type: 'string' },
  separator: { type: 'string' },
} as const;

export type SrsOptionValues = ParsedArgs<typeof SRS_OPTIONS>['values'];

export interface CommandSrs {
  readonly srs: Srs;
  readonly alias: string | undefined;
  /** The installed policy, when it was used (not with --secret/--secretfile): its store applies then. */
  readonly policy?: Policy;
}

/** The SRS to use, or the exit status after the reason was printed. */
export type SrsSetup = Result<CommandSrs, number>;

type Overrides = Partial<Pick<SrsInit, 'hashLength' | 'hashMin' | 'separator'>>;

type OverridesResult = Result<Overrides, Failure<'invalid-hashlength' | 'invalid-separator'>>;

/**
 * With --secret/--secretfile: exactly those secrets and Mail::SRS's defaults. Without: the
 * installed policy's secrets and settings, its srs-domain as the alias, so the answer is the
 * filter's. Options given on the command line win over the policy's values.
 */
export async function setUpSrs(values: SrsOptionValues, io: CliIo): Promise<SrsSetup> {
  const refuse = (message: string): SrsSetup => failure(fail(io, message, STATUS.usage));
  const overrides = parseOverrides(values);
  if (!overrides.ok) return refuse(overrides.error.message);

  if (values.secret !== undefined || values.secretfile !== undefined) {
    const read = await readExplicitSecrets(values.secret ?? [], values.secretfile);
    if (!read.ok) return refuse(read.error.message);
    const secrets = read.value;
    if (secrets.length === 0) return refuse(`${values.secretfile} holds no secret`);
    if (secrets.some((secret) => secret.length === 0)) return refuse('an empty secret is not supported');
    return ok({ srs: createSrs({ secrets, ...overrides.value }), alias: values.alias });
  }

  const configPath = values.config ?? DEFAULT_POLICY_PATH;
  const loaded = await loadPolicySrs(configPath, { permissions: 'warn' });
  if (!loaded.ok) {
    const message = `cannot use the policy ${configPath}; give --config FILE, or --secret/--secretfile`;
    return failure(failWithDetails(io, loaded.error, message, STATUS.usage));
  }
  for (const warning of loaded.value.warnings) warn(io, warning);
  const { policy, srs } = loaded.value;
  return ok({ srs: createSrs({ ...srs.options, ...overrides.value }), alias: values.alias ?? policy.srsDomain, policy });
}

/** Fails on the first bad value. A given hash length is also the minimum accepted, as in Mail::SRS. */
function parseOverrides(values: SrsOptionValues): OverridesResult {
  let overrides: Overrides = {};
  if (values.hashlength !== undefined) {
    const hashLength = parseInteger(values.hashlength);
    if (hashLength === undefined || hashLength < 1 || hashLength > HASH_LENGTH_MAX) {
      const message = `--hashlength must be a whole number from 1 to ${HASH_LENGTH_MAX}, not '${values.hashlength}'`;
      return failure({ code: 'invalid-hashlength', message });
    }
    overrides = { hashLength, hashMin: hashLength };
  }
  if (values.separator !== undefined) {
    const separator = parseSeparator(values.separator);
    if (separator === undefined) {
      return failure({ code: 'invalid-separator', message: `--separator must be one of = + -, not '${values.separator}'` });
    }
    overrides = { ...overrides, separator };
  }
  return ok(overrides);
}

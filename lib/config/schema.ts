import { posix } from 'node:path';
import { z, type core } from 'zod';
import { HASH_LENGTH_MAX, MAX_AGE_DAYS_MAX, splitAddress } from '../srs';
import { isDomainName } from './domain';
import { parseAddressPattern } from './addressPattern';
import { parseStoreLocation, type StoreLocation } from './envelopeDatabase';
import type { Policy, SrsBounces } from './policy';

/**
 * The policy's keys, their types, defaults and validators in one declarative table.
 * Messages complete a sentence that starts with the key ("hash-length: must be …").
 */

/** A cap, not a switch: there is no "unlimited", only a number an attacker cannot make use of. */
const MAX_BOUNCES_PER_ADDRESS = 1_000_000;

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const domain = z
  .string({ error: required('a domain name such as example.org') })
  .trim()
  .toLowerCase()
  .refine(isDomainName, 'must be a domain name such as example.org');

/** Courier's locals syntax (lib/courier reads them so): '.domain' every subdomain, '!domain' not local. */
const localDomain = z
  .string({ error: 'must be a domain name' })
  .trim()
  .toLowerCase()
  .refine((d) => isDomainName(d.replace(/^!?\.?/, '')), "must be a domain name, '.domain' or '!domain'");

const absolutePath = z
  .string({ error: required('an absolute path') })
  .refine((p) => posix.isAbsolute(p), 'must be an absolute path (starting with /)');

const name = z.string({ error: 'must be a user or group name' }).regex(/^[^\s:]+$/, 'must be a user or group name');

/** An empty YAML value (`key:`) is null; for a list that plainly means "none". */
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item, { error: 'must be a list (one `- item` per line)' })
    .nullish()
    .transform((items) => items ?? []);

const pattern = z.string({ error: 'must be a pattern string' }).transform((text, ctx) => {
  const parsed = parseAddressPattern(text);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.error.message });
  return z.NEVER;
});

const wholeNumber = (min: number, max: number) =>
  z
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` });

/** A local part that needs no quoting in an address. */
const LOCAL_PART = /^[^\s@"<>,;:\\()[\]]+$/;

/** Mail to SRS addresses: 'reverse', or a mailbox it is delivered to instead (`user@domain`). */
const srsBounces = z
  .string({ error: "must be 'reverse' or a local address such as postmaster@example.org" })
  .trim()
  .transform((text, ctx): SrsBounces => {
    if (text === 'reverse') return { mode: 'reverse' };
    const parts = splitAddress(text);
    const domain = parts?.domain.toLowerCase() ?? '';
    if (parts !== null && LOCAL_PART.test(parts.local) && isDomainName(domain)) {
      return { mode: 'deliver', address: `${parts.local}@${domain}` };
    }
    ctx.addIssue({ code: 'custom', message: "must be 'reverse' or an address user@domain such as postmaster@example.org" });
    return z.NEVER;
  });

const envelopeDatabase = z
  .string({ error: 'must be redis:HOST:PORT, redis:/path/to/socket or lmdb:/path' })
  .trim()
  .transform((text, ctx): StoreLocation => {
    const parsed = parseStoreLocation(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.error.message });
    return z.NEVER;
  });

const flag = z.boolean({ error: 'must be true or false' });

const courierObject = z.strictObject(
  {
    sysconfdir: absolutePath.optional(),
    localstatedir: absolutePath.optional(),
    libexecdir: absolutePath.optional(),
    mailuser: name.optional(),
    mailgroup: name.optional(),
  },
  { error: 'must be a mapping of Courier paths (sysconfdir, localstatedir, …)' },
);

const policyObject = z.strictObject(
  {
    'srs-domain': domain,
    'secrets-file': absolutePath,
    'forwarded-domains': list(domain),
    'local-domains': list(localDomain),
    'hash-length': wholeNumber(1, HASH_LENGTH_MAX).default(4),
    'hash-minimum': wholeNumber(1, HASH_LENGTH_MAX).optional(),
    'max-age-days': wholeNumber(1, MAX_AGE_DAYS_MAX).default(21),
    separator: choice(['-', '=', '+']).default('-'),
    'hash-alphabet': choice(['base64', 'base64url']).default('base64'),
    'exclude-senders': list(pattern),
    'exclude-recipients': list(pattern),
    'rewrite-relayed': flag.default(false),
    'reverse-only-bounces': flag.default(true),
    'mixed-recipients': choice(['rewrite', 'pass']).default('rewrite'),
    'max-bounces-per-address': wholeNumber(1, MAX_BOUNCES_PER_ADDRESS).default(10),
    'srs-bounces': srsBounces.default({ mode: 'reverse' }),
    'original-envelope': choice(['embedded', 'auto', 'database']).default('embedded'),
    'envelope-database': envelopeDatabase.nullish().transform((location) => location ?? null),
    'bounce-prefix': z
      .string({ error: 'must be a local-part prefix such as srsbounce-, or null to disable' })
      .regex(/^[^\s@"<>,;:\\]+$/, 'must be a local-part prefix without spaces, @ or quotes')
      .nullable()
      .default('srsbounce-'),
    'on-error': choice(['tempfail', 'accept']).default('tempfail'),
    'log-level': choice(['error', 'warn', 'info', 'debug']).default('info'),
    courier: courierObject.nullish().transform((overrides) => overrides ?? {}),
  },
  { error: 'the policy must be a mapping of keys (key: value)' },
);

/** Run a cross-field check even when unrelated keys are broken, so every problem is reported at once. */
const onlyWhenValid = (keys: readonly string[]) => ({
  when: (payload: core.ParsePayload) =>
    !payload.issues.some((issue) => keys.includes(String(issue.path?.[0]))),
});

export const policySchema = policyObject
  .superRefine((raw, ctx) => {
    const minimum = raw['hash-minimum'];
    if (minimum !== undefined && minimum > raw['hash-length']) {
      ctx.addIssue({
        code: 'custom',
        path: ['hash-minimum'],
        message: `must not exceed hash-length (${raw['hash-length']}): we could not verify our own addresses`,
      });
    }
  }, onlyWhenValid(['hash-length', 'hash-minimum']))
  .transform(
    (raw): Policy => ({
      srsDomain: raw['srs-domain'],
      secretsFile: raw['secrets-file'],
      forwardedDomains: raw['forwarded-domains'],
      localDomains: raw['local-domains'],
      hashLength: raw['hash-length'],
      hashMinimum: raw['hash-minimum'] ?? raw['hash-length'],
      maxAgeDays: raw['max-age-days'],
      separator: raw.separator,
      hashAlphabet: raw['hash-alphabet'],
      excludeSenders: raw['exclude-senders'],
      excludeRecipients: raw['exclude-recipients'],
      rewriteRelayed: raw['rewrite-relayed'],
      reverseOnlyBounces: raw['reverse-only-bounces'],
      mixedRecipients: raw['mixed-recipients'],
      maxBouncesPerAddress: raw['max-bounces-per-address'],
      srsBounces: raw['srs-bounces'],
      originalEnvelope: raw['original-envelope'],
      envelopeDatabase: raw['envelope-database'],
      bouncePrefix: raw['bounce-prefix'],
      onError: raw['on-error'],
      logLevel: raw['log-level'],
      courier: raw.courier,
    }),
  );

/** The keys each mapping knows, by its dotted path ('' = top level), for "did you mean" hints. */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(policyObject.shape),
  courier: Object.keys(courierObject.shape),
};

import { hostname as systemHostname } from 'node:os';
import { domainToUnicode } from 'node:url';
import { ok, type Result } from '../../result';
import { readConfigFile, readConfigFileOrDirectory, type ConfigReadFailure } from './configText';
import { courierFiles, type CourierPaths } from './paths';

/*
 * Which domains Courier delivers locally, decided the way its config_islocal() does
 * (courier/libs/islocal.c, cdomaincmp.c, cgethostname.c; courier(8) "locals", makehosteddomains(8)):
 *
 * - `locals` is one file (Courier reads it with readfile(); a directory is not supported). A '#'
 *   starts a comment anywhere on a line. Lines are tried in order and the first one that matches
 *   decides: `!x` says "not local", anything else "local". A leading '.' matches every
 *   subdomain but not the domain itself. Without `locals`, the first line of `me` is the only
 *   local domain (`*.` there is the system hostname), and without `me` the hostname is.
 * - `hosteddomains` is a file or a directory of files that makehosteddomains compiles to
 *   hosteddomains.dat; we read the source text (no gdbm reader here), so domains added but not
 *   yet compiled already count. Lines are `domain` or `domain<TAB>alias`; '#' only at the start
 *   of a line; a line "." ends the list. A lookup tries the domain, then up to 5 parent
 *   suffixes `.parent`, so `.example.com` matches subdomains.
 * - In both, a line `*` or `*.rest` stands for the hostname (`hostname.rest`): Courier first
 *   tries the domain in that `*` form, then as it is.
 * - Domains compare lower-cased and in Unicode (IDNA A-labels are decoded).
 * Deliberate differences: whitespace around a line is ignored (Courier would compare it), and a
 * trailing dot on a domain is ignored.
 */

/** One line of `locals` (or of the policy's `local-domains`), normalised. */
export interface DomainRule {
  /** Lower-case Unicode domain; a leading '.' matches every subdomain (not the domain itself). */
  readonly pattern: string;
  /** A `!` line: the domain is NOT local, even if a later wildcard matches it. */
  readonly exclude: boolean;
}

/** One line of `hosteddomains`: a hosted domain, or an alias for one. */
export interface HostedDomain {
  /** Lower-case Unicode domain; a leading '.' matches every subdomain. */
  readonly domain: string;
  /** The domain after the TAB ('' when none): mail to `domain` is delivered as if to this. */
  readonly aliasOf: string;
}

/** Which configuration made a domain local: for `srsctl explain` and log lines. */
export interface LocalMatch {
  readonly source: 'locals' | 'hosteddomains' | 'local-domains';
  /** The matching line as normalised, e.g. '.example.org' or '*'. */
  readonly rule: string;
}

export interface LocalDomains {
  /**
   * Case-insensitive, IDN-aware, tolerates one trailing dot. '' is not local: Courier calls an
   * address without a domain local, but whether one may appear is the caller's judgement.
   */
  isLocal(domain: string): boolean;
  /** The rule that makes `domain` local, undefined when it is not local. */
  whyLocal(domain: string): LocalMatch | undefined;
}

export type LocalDomainsResult = Result<LocalDomains, ConfigReadFailure>;

const HOSTED_SUFFIX_LOOKUPS = 5;

export function parseLocals(text: string): DomainRule[] {
  const rules: DomainRule[] = [];
  for (const rawLine of text.split(/[\r\n]/)) {
    const line = rawLine.replace(/#.*/, '').trim();
    const exclude = line.startsWith('!');
    const pattern = normalizePattern(exclude ? line.slice(1).trim() : line);
    if (pattern !== '') rules.push({ pattern, exclude });
  }
  return rules;
}

export function parseHostedDomains(text: string): HostedDomain[] {
  const domains: HostedDomain[] = [];
  for (const line of text.split('\n')) {
    if (line === '.') break;
    if (line.startsWith('#')) continue;
    const [key = '', alias = ''] = line.split('\t', 2);
    const domain = normalizePattern(key.trim());
    if (domain !== '') domains.push({ domain, aliasOf: normalizePattern(alias.trim()) });
  }
  return domains;
}

/** The single local domain Courier uses when `locals` is absent; `meText` undefined when `me` is absent. */
export function parseMe(meText: string | undefined, hostname: string): string {
  if (meText === undefined) return hostname;
  const line = (meText.split('\n')[0] ?? '').trim();
  return line.startsWith('*.') ? hostname + line.slice(1) : line;
}

export interface LocalDomainSources {
  readonly locals: readonly DomainRule[];
  readonly hostedDomains: readonly HostedDomain[];
  /** The policy's own `local-domains`, in the `locals` syntax. */
  readonly extra: readonly string[];
  /** The system hostname, for `*` lines. */
  readonly hostname: string;
}

export function createLocalDomains(sources: LocalDomainSources): LocalDomains {
  const host = normalizeDomain(sources.hostname);
  const hosted = new Map(sources.hostedDomains.map((entry) => [entry.domain, entry]));
  const extra = parseLocals(sources.extra.join('\n'));

  const whyLocal = (domain: string): LocalMatch | undefined => {
    const name = lookupName(domain);
    if (name === '') return undefined;
    const starForm = hostnameForm(name, host);
    const local = matchingRule(sources.locals, starForm, name);
    if (local) return { source: 'locals', rule: local.pattern };
    const hostedKey = suffixLookup(hosted, starForm, name, HOSTED_SUFFIX_LOOKUPS);
    if (hostedKey !== undefined) return { source: 'hosteddomains', rule: hostedKey };
    const own = firstRule(extra, name);
    if (own && !own.exclude) return { source: 'local-domains', rule: own.pattern };
    return undefined;
  };
  return { whyLocal, isLocal: (domain) => whyLocal(domain) !== undefined };
}

/** Reads `locals` (or `me`) and `hosteddomains` from Courier's configuration directory. */
export async function readLocalDomains(
  paths: CourierPaths,
  extra: readonly string[],
  hostname: string = systemHostname(),
): Promise<LocalDomainsResult> {
  const files = courierFiles(paths);
  const locals = await readDomainListOrMe(files.locals, paths, hostname);
  if (!locals.ok) return locals;
  const hosted = await readConfigFileOrDirectory(files.hostedDomains);
  if (!hosted.ok) return hosted;
  const domains = createLocalDomains({
    locals: parseLocals(locals.value),
    hostedDomains: parseHostedDomains(hosted.value ?? ''),
    extra,
    hostname,
  });
  return ok(domains);
}

/** A domain as Courier compares it: lower-case Unicode, without a trailing dot; '' for none. */
export function lookupName(domain: string): string {
  return normalizeDomain(stripTrailingDot(domain));
}

/**
 * Courier's config_is_indomain over `locals`-style rules: the `*` form of the name first, then
 * the name; the first rule that matches a form decides, and a `!` rule says no.
 */
export function matchingRule(rules: readonly DomainRule[], starForm: string | undefined, name: string): DomainRule | undefined {
  return [starForm, name].map((form) => (form === undefined ? undefined : firstRule(rules, form))).find((rule) => rule && !rule.exclude);
}

/** A file in the `locals` format; when it is absent, the one domain of `me` (Courier's config_me()). */
export async function readDomainListOrMe(
  path: string,
  paths: CourierPaths,
  hostname: string,
): Promise<Result<string, ConfigReadFailure>> {
  const list = await readConfigFile(path);
  if (!list.ok) return list;
  if (list.value !== undefined) return ok(list.value);
  const me = await readConfigFile(courierFiles(paths).me);
  if (!me.ok) return me;
  return ok(parseMe(me.value, normalizeDomain(hostname)));
}

function firstRule(rules: readonly DomainRule[], name: string): DomainRule | undefined {
  return rules.find((rule) => (rule.pattern.startsWith('.') ? name.endsWith(rule.pattern) : name === rule.pattern));
}

/**
 * A lookup in a makedat database the way Courier does it: the `*` form as is; else the name,
 * then up to `maxSuffixes` parent suffixes `.a.b`, `.b` in that order.
 */
export function suffixLookup(
  keys: ReadonlyMap<string, unknown> | ReadonlySet<string>,
  starForm: string | undefined,
  name: string,
  maxSuffixes: number,
): string | undefined {
  if (starForm !== undefined && keys.has(starForm)) return starForm;
  let key = name;
  for (let lookups = 0; lookups <= maxSuffixes; lookups++) {
    if (keys.has(key)) return key;
    const dot = key.indexOf('.', 1);
    if (dot < 0) return undefined;
    key = key.slice(dot);
  }
  return undefined;
}

/** Courier's config_is_gethostname: `host` → `*`, `host.rest` → `*.rest`. */
export function hostnameForm(name: string, host: string): string | undefined {
  if (host === '') return undefined;
  if (name === host) return '*';
  return name.startsWith(host + '.') ? '*' + name.slice(host.length) : undefined;
}

function normalizePattern(pattern: string): string {
  const bare = stripTrailingDot(pattern);
  return bare.startsWith('.') ? '.' + normalizeDomain(bare.slice(1)) : normalizeDomain(bare);
}

function normalizeDomain(domain: string): string {
  return domainToUnicode(domain) || domain.toLowerCase();
}

function stripTrailingDot(domain: string): string {
  return domain.endsWith('.') && domain.length > 1 ? domain.slice(0, -1) : domain;
}

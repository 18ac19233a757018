import { hostname as systemHostname } from 'node:os';
import { domainToUnicode } from 'node:url';
import { readConfigFile, readConfigFileOrDirectory } from './configText';
import { courierFiles } from './paths';
import type { CourierPaths, DomainRule, HostedDomain, LocalDomains, LocalDomainsResult, LocalMatch } from './types';

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
    const name = normalizeDomain(stripTrailingDot(domain));
    if (name === '') return undefined;
    const starForm = hostnameForm(name, host);
    const local = [starForm, name]
      .map((form) => (form === undefined ? undefined : firstRule(sources.locals, form)))
      .find((rule) => rule && !rule.exclude);
    if (local) return { source: 'locals', rule: local.pattern };
    const hostedKey = hostedLookup(hosted, starForm, name);
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
  const locals = await readConfigFile(files.locals);
  if (!locals.ok) return locals;
  let localsText = locals.text;
  if (localsText === undefined) {
    const me = await readConfigFile(files.me);
    if (!me.ok) return me;
    localsText = parseMe(me.text, normalizeDomain(hostname));
  }
  const hosted = await readConfigFileOrDirectory(files.hostedDomains);
  if (!hosted.ok) return hosted;
  const domains = createLocalDomains({
    locals: parseLocals(localsText),
    hostedDomains: parseHostedDomains(hosted.text ?? ''),
    extra,
    hostname,
  });
  return { ok: true, domains };
}

function firstRule(rules: readonly DomainRule[], name: string): DomainRule | undefined {
  return rules.find((rule) => (rule.pattern.startsWith('.') ? name.endsWith(rule.pattern) : name === rule.pattern));
}

/** The `*` form as is; else the name, then its parent suffixes `.a.b`, `.b` (Courier's order). */
function hostedLookup(hosted: ReadonlyMap<string, HostedDomain>, starForm: string | undefined, name: string): string | undefined {
  if (starForm !== undefined && hosted.has(starForm)) return starForm;
  let key = name;
  for (let lookups = 0; lookups <= HOSTED_SUFFIX_LOOKUPS; lookups++) {
    if (hosted.has(key)) return key;
    const dot = key.indexOf('.', 1);
    if (dot < 0) return undefined;
    key = key.slice(dot);
  }
  return undefined;
}

/** Courier's config_is_gethostname: `host` → `*`, `host.rest` → `*.rest`. */
function hostnameForm(name: string, host: string): string | undefined {
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

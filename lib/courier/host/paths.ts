import { execFile } from 'node:child_process';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { errnoCode } from '../../errno';
import { fail, ok, type Failure, type Result } from '../../result';

/** What `courier-config` prints, the fields srsfilter uses. */
export interface CourierPaths {
  readonly sysconfdir: string;
  readonly localstatedir: string;
  readonly libexecdir: string;
  readonly bindir: string;
  readonly sbindir: string;
  readonly mailuser: string;
  readonly mailgroup: string;
}

export type CourierPathsErrorCode =
  | 'not-installed' // no courier-config on PATH
  | 'failed' // courier-config exited non-zero or timed out
  | 'bad-output'; // a needed field is missing or not an absolute path

export type CourierPathsResult = Result<CourierPaths, Failure<CourierPathsErrorCode>>;

const DIRECTORY_FIELDS = ['sysconfdir', 'localstatedir', 'libexecdir', 'bindir', 'sbindir'] as const;
const NAME_FIELDS = ['mailuser', 'mailgroup'] as const;

/** `courier-config` prints `key=value` lines; only configure_args is quoted. */
export function parseCourierConfig(stdout: string): CourierPathsResult {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values.set(line.slice(0, equals).trim(), unquote(line.slice(equals + 1).trim()));
  }
  for (const field of DIRECTORY_FIELDS) {
    if (!values.get(field)?.startsWith('/')) return badOutput(`${field} is missing or not an absolute path`);
  }
  for (const field of NAME_FIELDS) {
    if (!values.get(field)) return badOutput(`${field} is missing`);
  }
  const get = (field: keyof CourierPaths): string => values.get(field) as string;
  return ok({
    sysconfdir: get('sysconfdir'),
    localstatedir: get('localstatedir'),
    libexecdir: get('libexecdir'),
    bindir: get('bindir'),
    sbindir: get('sbindir'),
    mailuser: get('mailuser'),
    mailgroup: get('mailgroup'),
  });
}

/** Runs `courier-config` from PATH; `run` is injectable for tests and must reject like execFile does. */
export async function discoverCourierPaths(run: () => Promise<string> = runCourierConfig): Promise<CourierPathsResult> {
  let stdout: string;
  try {
    stdout = await run();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      return fail({ code: 'not-installed', message: 'courier-config not found on PATH: is courier-mta installed?' });
    }
    const detail = (error as { message?: unknown } | null | undefined)?.message ?? error;
    return fail({ code: 'failed', message: `courier-config failed: ${String(detail)}` });
  }
  return parseCourierConfig(stdout);
}

/** The fields of CourierPaths a policy may override (its `courier:` keys). */
export const OVERRIDABLE_COURIER_PATHS = ['sysconfdir', 'localstatedir', 'libexecdir', 'mailuser', 'mailgroup'] as const;
export type CourierPathOverrides = Partial<Pick<CourierPaths, (typeof OVERRIDABLE_COURIER_PATHS)[number]>>;

export interface ResolveOptions {
  /**
   * The fields the caller reads. courier-config is not run when the overrides give them all,
   * so a policy can name Courier's directories where courier-config is missing (tests, other
   * builds); the fields the caller does not read are then Debian's. Default: the directories
   * of the queue, the filter sockets and Courier's configuration, all the filter reads.
   */
  readonly needs?: readonly (keyof CourierPathOverrides)[];
  /** Runs courier-config; injectable for tests, as for discoverCourierPaths. */
  readonly run?: () => Promise<string>;
}

/** Debian's courier-mta layout: what its courier-config answers. */
export const DEBIAN_COURIER_PATHS: CourierPaths = {
  sysconfdir: '/etc/courier',
  localstatedir: '/var/lib/courier',
  libexecdir: '/usr/lib/courier',
  bindir: '/usr/bin',
  sbindir: '/usr/sbin',
  mailuser: 'courier',
  mailgroup: 'courier',
};

/** courier-config's answer with the policy's `courier:` overrides on top. */
export async function resolveCourierPaths(overrides: CourierPathOverrides, options: ResolveOptions = {}): Promise<CourierPathsResult> {
  const { needs = ['sysconfdir', 'localstatedir'], run = runCourierConfig } = options;
  const complete = needs.every((field) => overrides[field] !== undefined);
  const discovered = complete ? ok(DEBIAN_COURIER_PATHS) : await discoverCourierPaths(run);
  if (!discovered.ok) return discovered;
  return ok({ ...discovered.value, ...overrides });
}

/** The files and directories srsfilter touches, derived the way Courier's build lays them out. */
export interface CourierFiles {
  /** Filter executables: `filterctl start NAME` runs `filtersDir/NAME`. */
  readonly filtersDir: string;
  /** Enabled filters, one symlink each. */
  readonly activeFiltersDir: string;
  /** Sockets of filters that see all mail. */
  readonly allFiltersSocketDir: string;
  /** Sockets of filters that see only mail that is not whitelisted. */
  readonly filtersSocketDir: string;
  /** Where submit writes a message's control and data files while filters run. */
  readonly queueTmpDir: string;
  readonly enableFiltering: string;
  /** Junk-mail settings read by submit, among them the SPF checks (`opt BOFHSPF…`). */
  readonly bofh: string;
  readonly locals: string;
  readonly me: string;
  /** A file or a directory of files (compiled to hosteddomains.dat by makehosteddomains). */
  readonly hostedDomains: string;
  readonly aliasDir: string;
  readonly esmtpAcceptMailFor: string;
  /** A directory of files (compiled to esmtpacceptmailfor.dat by makeacceptmailfor). */
  readonly esmtpAcceptMailForDir: string;
}

export function courierFiles(paths: CourierPaths): CourierFiles {
  const config = (name: string): string => posix.join(paths.sysconfdir, name);
  const state = (name: string): string => posix.join(paths.localstatedir, name);
  return {
    filtersDir: posix.join(paths.libexecdir, 'filters'),
    activeFiltersDir: config('filters/active'),
    allFiltersSocketDir: state('allfilters'),
    filtersSocketDir: state('filters'),
    queueTmpDir: state('tmp'),
    enableFiltering: config('enablefiltering'),
    bofh: config('bofh'),
    locals: config('locals'),
    me: config('me'),
    hostedDomains: config('hosteddomains'),
    aliasDir: config('aliasdir'),
    esmtpAcceptMailFor: config('esmtpacceptmailfor'),
    esmtpAcceptMailForDir: config('esmtpacceptmailfor.dir'),
  };
}

async function runCourierConfig(): Promise<string> {
  const { stdout } = await promisify(execFile)('courier-config', [], { timeout: 10_000, encoding: 'utf8' });
  return stdout;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function badOutput(detail: string): CourierPathsResult {
  return fail({ code: 'bad-output', message: `unexpected courier-config output: ${detail}` });
}

import {
  formatMode,
  formatProblem,
  secretsFileCreation,
  secretsFileExposures,
  secretsFileFix,
  type ConfigResult,
  type Policy,
} from '../../lib/config';
import {
  spfFailHandling,
  type BofhResult,
  type CourierPathsResult,
  type EnableFilteringResult,
  type LocalDomainsResult,
  type MailIdentity,
  type MailIdentityResult,
  type SmtpSpfSetting,
} from '../../lib/courier/host';
import type { StoreFacts } from './storeFacts';
import { FILTER_NAME } from '../../filter/control';
import { bouncePrefixFileName, CATCH_ALL_FILE, srsAliasFileNames } from './aliasFiles';
import { type CheckFacts, type CourierFacts, type PresentPath, type SecretsFacts } from './facts';

/**
 * One finding of `srsctl check`: `ok` passed, `problem` must be fixed (exit status 1),
 * `note` is worth knowing but breaks nothing. Every check is a pure function of gathered facts.
 */
export type CheckResult =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'problem'; readonly text: string; readonly fix: string }
  | { readonly kind: 'note'; readonly text: string };

const ok = (text: string): CheckResult => ({ kind: 'ok', text });
const problem = (text: string, fix: string): CheckResult => ({ kind: 'problem', text, fix });
const note = (text: string): CheckResult => ({ kind: 'note', text });

const AS_ROOT = 'run srsctl check as root';

export interface CheckOptions {
  /**
   * install.sh checks before `filterctl start`: a filter that is not active or not running
   * yet is what it is about to fix, so those findings are notes then.
   */
  readonly beforeStart: boolean;
}

const AFTER_START: CheckOptions = { beforeStart: false };

export function runChecks(facts: CheckFacts, options: CheckOptions = AFTER_START): CheckResult[] {
  const policy = facts.policy.ok ? facts.policy.value : undefined;
  return [
    ...checkPolicy(facts.configPath, facts.policy),
    ...(facts.secrets === undefined ? [] : checkSecretsFile(facts.secrets)),
    ...checkCourierPaths(facts.courierPaths),
    ...(facts.courier === undefined ? [] : checkCourier(facts.courier, policy, options)),
    ...(facts.store === undefined ? [] : checkStore(facts.store)),
  ];
}

/** Reachable, with how many senders it holds; an embedded store not created yet is the filter's to create. */
export function checkStore(store: StoreFacts): CheckResult[] {
  switch (store.state) {
    case 'reachable':
      return [ok(`sender store ${store.location} is reachable: ${store.entries} stored sender(s)`)];
    case 'not-created':
      return [note(`sender store ${store.location} does not exist yet: the filter creates it when it starts`)];
    case 'unreachable':
      return [
        problem(
          `sender store ${store.location} is not reachable: ${store.message}`,
          'start it (Redis), or fix envelope-database; meanwhile long senders are embedded and stored ones answer 451',
        ),
      ];
  }
}

export function checkPolicy(configPath: string, policy: ConfigResult<Policy>): CheckResult[] {
  if (policy.ok) return [ok(`policy ${configPath} is valid (srs-domain ${policy.value.srsDomain})`), ...checkHashMinimum(policy.value)];
  const create = `create ${configPath} (install.sh writes the default) or give --config FILE`;
  return policy.error.map((found) => problem(formatProblem(found), found.code === 'unreadable' ? create : `edit ${configPath} there`));
}

/** Hashes are compared case-insensitively, so a hash character is worth 5 bits to a forger, not 6. */
const GUESSES_PER_HASH_CHARACTER = 32;
const HASH_MINIMUM_ADVISED = 4;

/** Every forged bounce is one guess; below 4 characters, guesses are cheap enough to matter. */
export function checkHashMinimum(policy: Policy): CheckResult[] {
  const minimum = policy.hashMinimum;
  if (minimum >= HASH_MINIMUM_ADVISED) return [];
  const odds = GUESSES_PER_HASH_CHARACTER ** minimum;
  return [
    note(
      `hash-minimum ${minimum}: a ${minimum}-character hash is accepted, so about one forged bounce in ${odds} is reversed; ` +
        `set hash-length and hash-minimum to ${HASH_MINIMUM_ADVISED} or more`,
    ),
  ];
}

/** Below 128 bits a secret could be found offline by trying keys against the addresses it signed. */
const SECRET_BYTES_ADVISED = 16;

export function checkSecretLengths(path: string, secrets: readonly Buffer[]): CheckResult[] {
  return secrets.flatMap((secret, index) =>
    secret.length >= SECRET_BYTES_ADVISED
      ? []
      : [
          note(
            `secret ${index + 1} of ${secrets.length} in ${path} is ${secret.length} bytes: shorter than ${SECRET_BYTES_ADVISED}, ` +
              'it could be found from the addresses it signed; put a line from srsctl genkey first and drop the short one ' +
              'once max-age-days have passed',
          ),
        ],
  );
}

/** Exists, is a file, passes the filter's permission rule, holds secrets, and the mail user can read it. */
export function checkSecretsFile(secrets: SecretsFacts): CheckResult[] {
  const { path, file } = secrets;
  const secure = secretsFileFix(path, secrets.mailGroup);
  const create = secretsFileCreation(path, secrets.mailGroup);
  if (file.state === 'missing') return [problem(`secrets file ${path} does not exist`, create)];
  if (file.state === 'unreadable') return [problem(`cannot inspect secrets file ${path} (${file.code})`, AS_ROOT)];
  if (file.kind !== 'file') return [problem(`secrets file ${path} is no regular file (${file.kind})`, `remove it; ${create}`)];

  const found = [
    ...checkSecretsPermissions(path, file, secrets.mailIdentity, secure),
    ...(secrets.read.ok ? [] : [problem(secrets.read.error.message, contentsFix(secrets.read.error.code, path))]),
  ];
  if (found.some((result) => result.kind === 'problem')) return found;
  const read = secrets.read.ok ? secrets.read.value : [];
  const count = read.length;
  return [ok(`secrets file ${path}: ${count} secret${count === 1 ? '' : 's'}, mode ${formatMode(file.mode)}`), ...found, ...checkSecretLengths(path, read)];
}

/** The rule the filter refuses the file by, one problem per exposure; then whether the mail user can read it at all. */
export function checkSecretsPermissions(path: string, file: PresentPath, identity: MailIdentityResult, fix: string): CheckResult[] {
  if (!identity.ok) {
    const why = `cannot tell who may read secrets file ${path}: ${identity.error.message} (the filter refuses to start so)`;
    return [problem(why, "install courier-mta, or name the mail user and group in the policy's courier: mailuser and mailgroup")];
  }
  const exposures = secretsFileExposures(file, identity.value).map((exposure) => problem(`secrets file ${path} ${exposure.text}`, fix));
  return [...exposures, ...checkMailUserCanRead(path, file, identity.value, fix)];
}

/** The filter runs as the mail user and reads the file through its owner, group or other bits. */
export function checkMailUserCanRead(path: string, file: PresentPath, identity: MailIdentity, fix: string): CheckResult[] {
  if (mayRead(file, identity)) return [];
  return [problem(`the mail user ${identity.user} cannot read ${path}: the filter would not start`, fix)];
}

/** The kernel's order: owner bits for the owner, else group bits for a member, else the other bits. */
function mayRead(file: PresentPath, identity: MailIdentity): boolean {
  if (identity.uid === 0) return true;
  if (file.uid === identity.uid) return (file.mode & 0o400) !== 0;
  if (identity.gids.includes(file.gid)) return (file.mode & 0o040) !== 0;
  return (file.mode & 0o004) !== 0;
}

export function checkCourierPaths(paths: CourierPathsResult): CheckResult[] {
  return paths.ok ? [] : [problem(paths.error.message, "install courier-mta, or set the policy's courier: paths")];
}

export function checkCourier(courier: CourierFacts, policy: Policy | undefined, options: CheckOptions): CheckResult[] {
  const { sysconfdir } = courier.paths;
  return [
    ...checkFilterInstalled(courier),
    ...checkFilterActive(courier, options),
    ...checkEnableFiltering(courier.enableFiltering, `${sysconfdir}/enablefiltering`),
    ...checkSmtpSpf(courier.bofh, `${sysconfdir}/bofh`),
    ...(policy === undefined ? [] : checkSrsDomainIsLocal(policy, courier.courierLocalDomains, sysconfdir)),
    ...(policy === undefined ? [] : checkAliasFiles(policy, courier)),
  ];
}

export function checkFilterInstalled(courier: CourierFacts): CheckResult[] {
  const path = `${courier.paths.libexecdir}/filters/${FILTER_NAME}`;
  const { filter } = courier;
  if (filter.state === 'missing') return [problem(`the filter is not installed: ${path} does not exist`, 'run install.sh')];
  if (filter.state === 'unreadable') return [problem(`cannot inspect ${path} (${filter.code})`, AS_ROOT)];
  if (filter.kind !== 'file' || (filter.mode & 0o111) === 0) return [problem(`${path} is no executable file`, 'run install.sh')];
  return [ok(`filter installed: ${path}`)];
}

/**
 * Active: courierfilter starts it. Running: its socket exists. With the symlink but
 * no socket, Courier passes mail unfiltered; that is noted, since courierfilter may simply not
 * run yet (e.g. while installing). Before the start, an inactive filter is noted too.
 */
export function checkFilterActive(courier: CourierFacts, options: CheckOptions = AFTER_START): CheckResult[] {
  const path = `${courier.paths.sysconfdir}/filters/active/${FILTER_NAME}`;
  const start = `filterctl start ${FILTER_NAME}`;
  const { activeLink, socket } = courier;
  if (activeLink.state === 'unreadable') return [problem(`cannot inspect ${path} (${activeLink.code})`, AS_ROOT)];
  if (activeLink.state === 'missing') {
    if (options.beforeStart) return [note(`the filter is not active yet: ${path} does not exist (${start} activates it)`)];
    return [problem(`the filter is not active: ${path} does not exist`, start)];
  }
  const socketPath = `${courier.paths.localstatedir}/allfilters/${FILTER_NAME}`;
  if (socket.state === 'present' && socket.kind === 'socket') return [ok(`filter active: ${path}`), ok(`filter running: ${socketPath}`)];
  return [
    ok(`filter active: ${path}`),
    note(
      `the filter is active but ${socketPath} is absent: courierfilter is not running, or the filter failed to start ` +
        `(see the mail log); while Courier runs without it, mail passes unfiltered (${start} after fixing)`,
    ),
  ];
}

export function checkEnableFiltering(enableFiltering: EnableFilteringResult, path: string): CheckResult[] {
  if (!enableFiltering.ok) return [problem(enableFiltering.error.message, `make ${path} readable`)];
  const sources = enableFiltering.value;
  if (!sources.includes('esmtp')) {
    const text = `${path} lacks esmtp: Courier does not pass mail received by SMTP to filters`;
    return [problem(text, `add esmtp to the first line of ${path}`)];
  }
  if (sources.includes('local')) return [ok(`${path}: ${sources.join(' ')}`)];
  return [
    ok(`${path}: ${sources.join(' ')}`),
    note('enablefiltering lacks local: forwards by .courier files and aliasdir are re-injected unfiltered (add local to filter them)'),
  ];
}

/** The results Courier's documentation advises accepting; `fail` is refused. */
const SPF_ACCEPTED = 'pass,none,neutral,softfail,unknown';

/** Why each SPF check matters once SRS puts our domain on the envelope of what we forward. */
const SPF_WHY: Readonly<Record<SmtpSpfSetting, string>> = {
  BOFHSPFMAILFROM:
    'a sender whose own SPF fails for the client (a forgery) is accepted, and SRS then sends it on under our SPF',
  BOFHSPFHELO:
    'a client whose HELO name fails SPF is accepted; bounces (MAIL FROM:<>) get no MAIL FROM check, so this is their SPF check',
};

/**
 * Courier can refuse forged senders during the SMTP dialogue; without that, SRS launders them.
 * Only noted: whether to refuse is the admin's policy, and srsfilter works either way.
 */
export function checkSmtpSpf(bofh: BofhResult, path: string): CheckResult[] {
  if (!bofh.ok) return [note(`${bofh.error.message}: cannot tell whether Courier checks SPF at SMTP time`)];
  return (['BOFHSPFMAILFROM', 'BOFHSPFHELO'] as const).map((setting) => {
    const handling = spfFailHandling(bofh.value, setting);
    const value = bofh.value.get(setting);
    if (handling === 'refused') return ok(`${path}: opt ${setting}=${value ?? ''} refuses an SPF fail`);
    const state = handling === 'off' ? `${setting} is off` : `opt ${setting}=${value ?? ''} accepts an SPF fail`;
    return note(`${path}: ${state}: ${SPF_WHY[setting]}; to refuse it, set: opt ${setting}=${SPF_ACCEPTED}`);
  });
}

/** Courier's own locals and hosteddomains: the policy's local-domains make Courier accept nothing. */
export function checkSrsDomainIsLocal(policy: Policy, localDomains: LocalDomainsResult, sysconfdir: string): CheckResult[] {
  if (!localDomains.ok) return [problem(localDomains.error.message, `make Courier's locals and hosteddomains in ${sysconfdir} readable`)];
  const { srsDomain } = policy;
  const why = localDomains.value.whyLocal(srsDomain);
  if (why !== undefined) return [ok(`srs-domain ${srsDomain} is local (${why.source}: ${why.rule})`)];
  return [
    problem(
      `srs-domain ${srsDomain} is not a local domain of Courier: bounces to our SRS addresses would be relayed or refused`,
      `add ${srsDomain} to ${sysconfdir}/locals (or to hosteddomains, then run makehosteddomains)`,
    ),
  ];
}

export function checkAliasFiles(policy: Policy, courier: CourierFacts): CheckResult[] {
  const present = (name: string): boolean => courier.aliasFiles.get(name)?.state === 'present';
  const where = (name: string): string => `${courier.aliasDir}/${name}`;
  return [...checkSrsAliasFiles(policy, present, where), ...checkBouncePrefixFile(policy.bouncePrefix, present, where)];
}

type Present = (name: string) => boolean;
type Where = (name: string) => string;

function checkSrsAliasFiles(policy: Policy, present: Present, where: Where): CheckResult[] {
  const { separator } = policy;
  if (separator === '-') {
    return srsAliasFileNames(policy).map((name) => {
      const tag = name.slice('.courier-'.length, -'-default'.length);
      return present(name)
        ? ok(`${where(name)} accepts bounces to ${tag}-… addresses`)
        : problem(`${where(name)} is missing: Courier refuses RCPT TO for those SRS addresses (550 User unknown)`, 'run install.sh');
    });
  }
  if (present(CATCH_ALL_FILE)) {
    const accepts = `accepts bounces to SRS0${separator}… addresses, and every junk address too`;
    return [note(`separator ${separator}: only the catch-all ${where(CATCH_ALL_FILE)} ${accepts}`)];
  }
  return [
    problem(
      `separator ${separator}: Courier refuses RCPT TO:<SRS0${separator}…> (550 User unknown), ` +
        'so bounces to our addresses never arrive',
      "set separator: '-' in the policy and run install.sh (it creates the aliasdir files)",
    ),
  ];
}

function checkBouncePrefixFile(prefix: string | null, present: Present, where: Where): CheckResult[] {
  if (prefix === null) return [];
  const name = bouncePrefixFileName(prefix);
  if (name === undefined) return [note(`bounce-prefix ${prefix} does not end in '-': no aliasdir file can accept such addresses`)];
  if (present(name)) return [ok(`${where(name)} accepts bounces to the old ${prefix}… addresses`)];
  const refused = `bounces to ${prefix}… addresses are refused (fine unless the pipe-alias glue's addresses are still in use)`;
  return [note(`${where(name)} is absent: ${refused}`)];
}

function contentsFix(code: string, path: string): string {
  return code === 'no-secrets' ? `add a line with a secret to ${path} (srsctl genkey prints one)` : AS_ROOT;
}

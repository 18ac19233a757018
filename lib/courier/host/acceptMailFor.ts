import { hostname as systemHostname } from 'node:os';
import { ok, type Result } from '../../result';
import { readConfigFileOrDirectory, type ConfigReadFailure } from './configText';
import {
  hostnameForm,
  lookupName,
  matchingRule,
  parseHostedDomains,
  parseLocals,
  readDomainListOrMe,
  suffixLookup,
  type DomainRule,
} from './localDomains';
import { courierFiles, type CourierPaths } from './paths';

/*
 * Which domains Courier's ESMTP server accepts mail for, decided the way its acceptdomain() does
 * (courier/module.esmtp/esmtp.C; courier(8) "esmtpacceptmailfor", makeacceptmailfor(8)). A
 * client without relay rights may name a recipient only in such a domain: a local one, or one
 * Courier relays for as a backup MX.
 *
 * - `esmtpacceptmailfor` is one file in the `locals` format, read the same way (comments, `!`
 *   lines, `.domain` for subdomains, first match decides, `*` for the hostname). Without it,
 *   the one domain of `me` (or the hostname) is accepted.
 * - `esmtpacceptmailfor.dir` is a directory of files that makeacceptmailfor concatenates and
 *   compiles to esmtpacceptmailfor.dat, tried when the file does not accept a domain. Its
 *   lines are makedat's: one domain a line, '#' only at the start of a line, a line "." ends
 *   the list, anything after a TAB ignored. A lookup tries the domain, then up to 7 parent
 *   suffixes `.parent`, so `.example.com` accepts subdomains; `!` means nothing there.
 *   As for hosteddomains, the source text is read, so domains not yet compiled already count.
 * - Domains compare lower-cased and in Unicode, as Courier's lookup does (makeacceptmailfor
 *   wants lower-case lines; an upper-case line counts here where Courier would miss it).
 */

/** The domains Courier's ESMTP server accepts mail for: its local domains and those it relays for. */
export interface AcceptMailFor {
  /** Case-insensitive, IDN-aware, tolerates one trailing dot; '' is not accepted. */
  accepts(domain: string): boolean;
}

export type AcceptMailForResult = Result<AcceptMailFor, ConfigReadFailure>;

const DAT_SUFFIX_LOOKUPS = 7;

export interface AcceptMailForSources {
  /** The lines of `esmtpacceptmailfor` (or of `me` when it is absent). */
  readonly list: readonly DomainRule[];
  /** The domains of `esmtpacceptmailfor.dir`, lower-case Unicode, `.domain` for subdomains. */
  readonly dat: readonly string[];
  /** The system hostname, for `*` lines. */
  readonly hostname: string;
}

export function createAcceptMailFor(sources: AcceptMailForSources): AcceptMailFor {
  const host = lookupName(sources.hostname);
  const dat = new Set(sources.dat);
  return {
    accepts(domain) {
      const name = lookupName(domain);
      if (name === '') return false;
      const starForm = hostnameForm(name, host);
      if (matchingRule(sources.list, starForm, name) !== undefined) return true;
      return suffixLookup(dat, starForm, name, DAT_SUFFIX_LOOKUPS) !== undefined;
    },
  };
}

/** Reads `esmtpacceptmailfor` (or `me`) and `esmtpacceptmailfor.dir` from Courier's configuration directory. */
export async function readAcceptMailFor(paths: CourierPaths, hostname: string = systemHostname()): Promise<AcceptMailForResult> {
  const files = courierFiles(paths);
  const list = await readDomainListOrMe(files.esmtpAcceptMailFor, paths, hostname);
  if (!list.ok) return list;
  const dat = await readConfigFileOrDirectory(files.esmtpAcceptMailForDir);
  if (!dat.ok) return dat;
  const domains = createAcceptMailFor({
    list: parseLocals(list.value),
    // The makedat source format, as for hosteddomains; the TAB value means nothing here.
    dat: parseHostedDomains(dat.value ?? '').map((entry) => entry.domain),
    hostname,
  });
  return ok(domains);
}

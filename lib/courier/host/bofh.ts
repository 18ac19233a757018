import { ok, type Result } from '../../result';
import { readConfigFile, type ConfigReadFailure } from './configText';
import { courierFiles, type CourierPaths } from './paths';

/**
 * The `opt NAME=value` lines of Courier's bofh file, read as submit's bofh_init reads them:
 * everything from a '#' on is a comment, words are separated by spaces, tabs and CRs, `opt` is
 * case-insensitive, the value ends at the first blank, and the first line of a name wins (submit
 * sets each as an environment variable only when it is not set yet).
 */
export function parseBofhOptions(text: string): ReadonlyMap<string, string> {
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [directive, setting] = (line.split('#')[0] ?? '').split(/[ \t\r]+/).filter((word) => word !== '');
    if (directive?.toLowerCase() !== 'opt' || setting === undefined) continue;
    const equals = setting.indexOf('=');
    if (equals < 0) continue;
    const name = setting.slice(0, equals);
    if (!options.has(name)) options.set(name, setting.slice(equals + 1));
  }
  return options;
}

/** The SPF checks submit makes during the SMTP dialogue: of the HELO name and of the MAIL FROM address. */
export type SmtpSpfSetting = 'BOFHSPFHELO' | 'BOFHSPFMAILFROM';

/**
 * What submit does when SPF answers `fail` (the domain says the client may not send its mail):
 * - 'off': no check (the default; also an empty value or one listing `off`);
 * - 'accepted': the check runs but `fail` is listed, or `all` (it only records Received-SPF);
 * - 'refused': `fail` is not among the accepted results, so the sender is refused
 *   (5xx, or 4xx when BOFHSPFHARDERROR leaves `fail` out).
 * The value is a comma-separated list of the results to accept; keywords are case-sensitive.
 */
export type SpfFailHandling = 'off' | 'accepted' | 'refused';

export function spfFailHandling(options: ReadonlyMap<string, string>, setting: SmtpSpfSetting): SpfFailHandling {
  const value = options.get(setting) ?? '';
  const keywords = value === '' ? ['off'] : value.split(',');
  if (keywords.includes('off')) return 'off';
  return keywords.includes('all') || keywords.includes('fail') ? 'accepted' : 'refused';
}

export type BofhResult = Result<ReadonlyMap<string, string>, ConfigReadFailure>;

/** A missing bofh file sets nothing, as for submit. */
export async function readBofh(paths: CourierPaths): Promise<BofhResult> {
  const file = await readConfigFile(courierFiles(paths).bofh);
  if (!file.ok) return file;
  return ok(parseBofhOptions(file.value ?? ''));
}

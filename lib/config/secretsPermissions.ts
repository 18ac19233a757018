/** What a stat of the secrets file says about who may use it. */
export interface FileOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** Courier's mail user and group: courierfilter runs the filter as them. `group` is named in the fix. */
export interface MailOwners {
  readonly uid: number;
  readonly gid: number;
  readonly group: string;
}

export type SecretsExposureCode = 'foreign-owner' | 'foreign-group' | 'group-writable' | 'world-writable' | 'world-readable';

export interface SecretsExposure {
  readonly code: SecretsExposureCode;
  /** Completes "the secrets file …", e.g. "is world-readable (mode 0644): anyone who reads it can forge bounces". */
  readonly text: string;
}

const ROOT = 0;

/** What a new secrets file gets: read and write for its owner (root), read for the mail group. */
export const SECRETS_FILE_MODE = 0o640;

/**
 * The one rule for the secrets file; the filter refuses a file that breaks it and srsctl check
 * reports each exposure. Whoever reads the secret can forge bounces, whoever writes it can break
 * them. So: owned by root or the mail user (an owner can always chmod its file), readable through
 * its group only when the group is root's or the mail group, writable by its owner alone, and
 * closed to others.
 */
export function secretsFileExposures(file: FileOwnership, mail: MailOwners): SecretsExposure[] {
  const mode = formatMode(file.mode);
  const exposures: SecretsExposure[] = [];
  const add = (code: SecretsExposureCode, text: string): void => {
    exposures.push({ code, text });
  };
  if (file.uid !== ROOT && file.uid !== mail.uid) {
    add('foreign-owner', `is owned by uid ${file.uid}, neither root nor the mail user: its owner can read and replace the secret`);
  }
  if (file.mode & 0o040 && file.gid !== ROOT && file.gid !== mail.gid) {
    add('foreign-group', `is readable by group ${file.gid} (mode ${mode}), not the mail group ${mail.group}: its members can forge bounces`);
  }
  if (file.mode & 0o020) add('group-writable', `is group-writable (mode ${mode}): its group can replace the secret and break every bounce`);
  if (file.mode & 0o002) add('world-writable', `is world-writable (mode ${mode}): anyone can replace the secret`);
  if (file.mode & 0o004) add('world-readable', `is world-readable (mode ${mode}): anyone who reads it can forge bounces`);
  return exposures;
}

/** How every exposure is fixed, said the same way by the filter and by srsctl check. */
export function secretsFileFix(path: string, mailGroup: string): string {
  return `chmod ${formatMode(SECRETS_FILE_MODE)} ${path} && chown root:${mailGroup} ${path}`;
}

/** A new secrets file that passes the rule: genkey creates it with SECRETS_FILE_MODE and the group given. */
export function secretsFileCreation(path: string, mailGroup: string): string {
  return `srsctl genkey --output ${path} --group ${mailGroup}`;
}

export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

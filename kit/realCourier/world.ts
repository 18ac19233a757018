// The test world test/e2e/support/courier-env.sh builds; keep the two in step.
import { join } from 'node:path';

export const SMTP_HOST = '127.0.0.1';
export const SMTP_PORT = 25;
export const SINK_PORT = 2525;
/** Connecting from here looks like an MTA on the internet: no relay rights. */
export const EXTERNAL_CLIENT = '127.0.0.2';
/** 127.0.0.1 is a relay client (Courier's smtpaccess default), like a local user's MUA. */
export const RELAY_CLIENT = '127.0.0.1';

export const ADDRESSES = {
  externalSender: 'alice@sender.test',
  localUser: 'bob',
  localMailbox: 'bob@example.org',
  /** single-target alias (aliases/srsfilter-e2e) */
  alias: 'fwd@example.org',
  aliasTarget: 'someone@remote.test',
  /** one local and one remote member */
  multiAlias: 'multi@example.org',
  multiAliasRemote: 'other@remote.test',
  /** 150 remote members r001..r150@remote.test */
  manyAlias: 'many@example.org',
  manyAliasSize: 150,
  /** aliasdir/.courier-dotfwd: forwarded by local delivery, re-injected as "local" */
  dotForward: 'dotfwd@example.org',
  dotForwardTarget: 'dottarget@remote.test',
  remoteRecipient: 'carol@remote.test',
  /** in backup-mx.test, which esmtpacceptmailfor.dir lists: Courier relays it for anyone */
  backupMxRecipient: 'dave@backup-mx.test',
  /** single-target alias whose target is in the backup-MX domain */
  aliasToBackupMx: 'fwdbackup@example.org',
  aliasToBackupMxTarget: 'erin@backup-mx.test',
} as const;

export const COURIER_ETC = '/etc/courier';
export const POLICY_FILE = join(COURIER_ETC, 'srsfilter.yaml');
export const ENABLEFILTERING_FILE = join(COURIER_ETC, 'enablefiltering');
export const FILTER_NAME = 'srsfilter';
/** Where the package installs srsctl. */
export const SRSCTL = '/usr/bin/srsctl';
const E2E_DIR = process.env.E2E_DIR ?? '/tmp/srsfilter-e2e';
/** Set by run.sh from `courier-env.sh log`. */
export const MAIL_LOG = process.env.E2E_MAIL_LOG ?? join(E2E_DIR, 'mail.log');

import { parsePolicy, type Policy } from '../../../lib/config';
import type { Envelope, Recipient } from '../../../lib/courier/queue';
import type { DecideContext } from '../../../lib/policy';
import { createSrs, type Srs } from '../../../lib/srs';

/** The locals of the Courier that wrote test/fixtures/courier: localhost, mail.example.org, example.org; plus a second hosted domain. */
const LOCAL_DOMAINS: ReadonlySet<string> = new Set(['localhost', 'mail.example.org', 'example.org', 'lists.example.org']);

/** A fake of lib/courier's LocalDomains: exact names only, which is all these tables need. */
const localDomains = { isLocal: (domain: string): boolean => LOCAL_DOMAINS.has(domain.toLowerCase()) };

/** A domain this host is a backup MX for: in esmtpacceptmailfor, not local. */
export const BACKUP_MX_DOMAIN = 'backup-mx.test';

/** A fake of lib/courier's AcceptMailFor: the local domains (as above) and the backup-MX domain. */
const acceptMailFor = {
  accepts: (domain: string): boolean => LOCAL_DOMAINS.has(domain.toLowerCase()) || domain.toLowerCase() === BACKUP_MX_DOMAIN,
};

const NOW = Date.UTC(2025, 0, 15, 12);
const DAY = 86_400_000;
const SECRETS = [Buffer.from('tops3cr3t')];

/** The defaults of a policy that sets only what it must, with overrides. */
function policyWith(overrides: Partial<Policy> = {}): Policy {
  const parsed = parsePolicy('srs-domain: example.org\nsecrets-file: /etc/courier/srsfilter.secret\n', 'test.yaml');
  if (!parsed.ok) throw new Error('the minimal policy must parse');
  return { ...parsed.value, ...overrides };
}

/** The real SRS core with a fixed clock, '-' separator as the default policy. */
function srsAt(now: number): Srs {
  return createSrs({ secrets: SECRETS, now: () => now, separator: '-' });
}

const srs = srsAt(NOW);

export function contextWith(overrides: Partial<Policy> = {}): DecideContext {
  return { policy: policyWith(overrides), localDomains, acceptMailFor, srs };
}

/** An SRS address of ours for `address`, made `daysAgo` days before NOW (negative: in the future). */
export function srsAddressFor(address: string, daysAgo = 0): string {
  const forwarded = srsAt(NOW - daysAgo * DAY).forward(address, 'example.org');
  if (!forwarded.ok) throw new Error(forwarded.error.message);
  return forwarded.value;
}

export interface RecipientSpec {
  readonly r: string;
  readonly R?: string;
  readonly file?: number;
  /** The alias entry of a multi-member alias: done, "250 Ok - delivered to alias." */
  readonly aliasEntry?: boolean;
}

export interface EnvelopeSpec {
  readonly sender: string;
  readonly source?: string;
  readonly relayClient?: boolean;
  readonly recipients: readonly RecipientSpec[];
}

/** An envelope in the shapes Courier's control files show (test/fixtures/courier). */
export function envelope(spec: EnvelopeSpec): Envelope {
  const indexInFile = new Map<number, number>();
  const recipients = spec.recipients.map((r): Recipient => {
    const file = r.file ?? 0;
    const index = indexInFile.get(file) ?? 0;
    indexInFile.set(file, index + 1);
    return {
      file,
      index,
      address: r.r,
      originalRecipient: r.R ?? '',
      dsn: '',
      done: r.aliasEntry ?? false,
      doneReply: r.aliasEntry ? '250 Ok - delivered to alias.' : '',
    };
  });
  return {
    sender: spec.sender,
    recipients,
    source: spec.source ?? 'smtp',
    relayClient: spec.relayClient ?? false,
    messageId: '0000000000164054.000000006B072786.000046B0',
  };
}

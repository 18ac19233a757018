import { classifyRecipients } from '../../../lib/policy/recipientRoles';
import { BACKUP_MX_DOMAIN, contextWith, envelope, type EnvelopeSpec } from './support';

const ALICE = 'alice@sender.test';
const BACKUP_MX = `bob@${BACKUP_MX_DOMAIN}`;

const roles = (spec: Omit<EnvelopeSpec, 'sender'>): string[] =>
  classifyRecipients(envelope({ sender: ALICE, ...spec }), contextWith()).map((c) => `${c.recipient.address} ${c.role}`);

describe('classifyRecipients: backup MX', () => {
  it('an external MTA naming a backup-MX domain: relayed, not an alias', () => {
    expect(roles({ recipients: [{ r: BACKUP_MX }, { r: 'other@remote.test' }] })).toEqual([
      `${BACKUP_MX} backup-mx`,
      'other@remote.test forwarded',
    ]);
  });

  it('the original-recipient record of a local alias wins over the domain', () => {
    expect(roles({ recipients: [{ r: BACKUP_MX, R: 'fwd@example.org' }] })).toEqual([`${BACKUP_MX} forwarded`]);
  });

  it('an ORCPT outside our domains is no alias evidence', () => {
    expect(roles({ recipients: [{ r: BACKUP_MX, R: BACKUP_MX }] })).toEqual([`${BACKUP_MX} backup-mx`]);
  });

  it('a delivered-to-alias record wins over the domain', () => {
    expect(roles({ recipients: [{ r: BACKUP_MX }, { r: 'multi@example.org', aliasEntry: true }] })).toEqual([`${BACKUP_MX} forwarded`]);
  });

  it('a relay client or a local submission to a backup-MX domain: backup-mx too', () => {
    expect(roles({ source: 'authsmtp', relayClient: true, recipients: [{ r: BACKUP_MX }] })).toEqual([`${BACKUP_MX} backup-mx`]);
    expect(roles({ source: 'local', recipients: [{ r: BACKUP_MX }] })).toEqual([`${BACKUP_MX} backup-mx`]);
  });

  it('a local domain stays local though esmtpacceptmailfor lists it too', () => {
    expect(roles({ recipients: [{ r: 'bob@example.org' }] })).toEqual(['bob@example.org local']);
  });
});

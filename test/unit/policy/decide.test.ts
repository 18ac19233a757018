import type { Policy } from '../../../lib/config';
import { decide, type Decision } from '../../../lib/policy';
import { BACKUP_MX_DOMAIN, contextWith, envelope, srsAddressFor, type EnvelopeSpec } from './support';

const ALICE = 'alice@sender.test';
const RELAY = { source: 'authsmtp', relayClient: true } as const;
const ALIAS = { r: 'someone@remote.test', R: 'fwd@example.org' };
const BACKUP_MX = `bob@${BACKUP_MX_DOMAIN}`;
const patterns = (...texts: string[]): Policy['excludeSenders'] =>
  texts.map((text) => {
    const [, at, dot, domain] = /^(.*@)?(\.)?(.*)$/.exec(text) ?? [];
    if (at !== undefined) return { kind: 'address' as const, address: text };
    return { kind: dot ? ('subdomains' as const) : ('domain' as const), domain: domain ?? '' };
  });

type Row = readonly [name: string, policy: Partial<Policy>, spec: EnvelopeSpec, expected: Partial<Decision>];

describe('decide: forwarding (rewrite or pass)', () => {
  const rows: Row[] = [
    // The sender decides first.
    ['null sender to an alias', {}, { sender: '', recipients: [ALIAS] }, { kind: 'pass', rule: 'null-sender' }],
    ['local sender to an alias', {}, { sender: 'bob@example.org', recipients: [ALIAS] }, { kind: 'pass', rule: 'local-sender' }],
    ['sender of a local subdomain, case-insensitive', {}, { sender: 'bob@Mail.Example.ORG', recipients: [ALIAS] }, { kind: 'pass', rule: 'local-sender' }],
    ['unqualified sender', {}, { sender: 'bob', source: 'local', recipients: [ALIAS] }, { kind: 'pass', rule: 'local-sender' }],
    ['sender in srs-domain that is not SRS', { srsDomain: 'srs.example.net' }, { sender: 'x@srs.example.net', recipients: [ALIAS] }, { kind: 'pass', rule: 'local-sender' }],
    ['our own SRS sender', {}, { sender: srsAddressFor(ALICE), recipients: [ALIAS] }, { kind: 'pass', rule: 'already-srs' }],
    ['excluded sender domain', { excludeSenders: patterns('sender.test') }, { sender: ALICE, recipients: [ALIAS] }, { kind: 'pass', rule: 'excluded-sender', reason: 'the sender matches exclude-senders entry sender.test' }],
    ['excluded sender address', { excludeSenders: patterns('alice@sender.test') }, { sender: 'Alice@Sender.test', recipients: [ALIAS] }, { kind: 'pass', rule: 'excluded-sender' }],
    ['excluded subdomains do not cover the domain', { excludeSenders: patterns('.sender.test') }, { sender: ALICE, recipients: [ALIAS] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['excluded subdomains cover a subdomain', { excludeSenders: patterns('.sender.test') }, { sender: 'a@mx.sender.test', recipients: [ALIAS] }, { kind: 'pass', rule: 'excluded-sender' }],

    // Recipients: local only.
    ['external sender, local recipient only', {}, { sender: ALICE, recipients: [{ r: 'bob@example.org' }] }, { kind: 'pass', rule: 'only-local-recipients' }],
    ['relay client, local recipient only (local-only.ctl)', {}, { sender: ALICE, ...RELAY, recipients: [{ r: 'bob@example.org' }] }, { kind: 'pass', rule: 'only-local-recipients' }],
    ['.courier forward, inbound copy (dotfwd@ local)', {}, { sender: ALICE, recipients: [{ r: 'dotfwd@example.org' }] }, { kind: 'pass', rule: 'only-local-recipients' }],

    // Single-target alias: r = target, R = alias.
    ['single alias, external MTA (single-alias-to-remote.ctl)', {}, { sender: ALICE, recipients: [ALIAS] }, { kind: 'rewrite', rule: 'forwarded-alias', from: ALICE, forwardedTo: ['someone@remote.test'] }],
    ['single alias, relay client', {}, { sender: ALICE, ...RELAY, recipients: [ALIAS] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['single alias, R of another case', {}, { sender: ALICE, recipients: [{ r: 'someone@remote.test', R: 'Fwd@EXAMPLE.org' }] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['single alias of a forwarded domain', { forwardedDomains: ['example.org'] }, { sender: ALICE, recipients: [ALIAS] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['single alias of a domain not forwarded', { forwardedDomains: ['lists.example.org'] }, { sender: ALICE, recipients: [ALIAS] }, { kind: 'pass', rule: 'not-forwarded-domain' }],
    ['single alias of a domain not forwarded, relay client', { forwardedDomains: ['lists.example.org'] }, { sender: ALICE, ...RELAY, recipients: [ALIAS] }, { kind: 'pass', rule: 'not-forwarded-domain' }],

    // Multi-member alias: members with empty R, the alias entry done "delivered to alias".
    ['multi alias, relay client (multi-alias.ctl)', {}, { sender: ALICE, ...RELAY, recipients: [{ r: 'bob@example.org' }, { r: 'other@remote.test' }, { r: 'multi@example.org', aliasEntry: true }] }, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['other@remote.test'] }],
    ['multi alias, two external members (two-remote-alias.ctl)', {}, { sender: ALICE, ...RELAY, recipients: [{ r: 'one@remote.test' }, { r: 'two@remote.test' }, { r: 'two@example.org', aliasEntry: true }] }, { kind: 'rewrite', forwardedTo: ['one@remote.test', 'two@remote.test'] }],
    ['multi alias of a forwarded domain', { forwardedDomains: ['example.org'] }, { sender: ALICE, ...RELAY, recipients: [{ r: 'other@remote.test' }, { r: 'multi@example.org', aliasEntry: true }] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['multi alias of a domain not forwarded', { forwardedDomains: ['lists.example.org'] }, { sender: ALICE, ...RELAY, recipients: [{ r: 'other@remote.test' }, { r: 'multi@example.org', aliasEntry: true }] }, { kind: 'pass', rule: 'not-forwarded-domain' }],
    ['an "alias entry" that is not about aliases is no evidence', {}, { sender: ALICE, ...RELAY, recipients: [{ r: 'other@remote.test' }, { r: 'x@example.org' }] }, { kind: 'pass', rule: 'relayed-by-local-user' }],

    // A client without relay rights: every external recipient comes from an alias.
    ['external MTA, external member, no alias entry', {}, { sender: ALICE, recipients: [{ r: 'other@remote.test' }] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['external MTA, alias domain unknown, forwarded-domains set', { forwardedDomains: ['example.org'] }, { sender: ALICE, recipients: [{ r: 'other@remote.test' }] }, { kind: 'pass', rule: 'not-forwarded-domain' }],
    ['external MTA, single + multi alias (external-127.0.0.2-fwd+multi.ctl)', {}, { sender: ALICE, recipients: [ALIAS, { r: 'bob@example.org' }, { r: 'other@remote.test' }, { r: 'multi@example.org', aliasEntry: true }] }, { kind: 'rewrite', forwardedTo: ['someone@remote.test', 'other@remote.test'] }],
    ['external MTA whose ORCPT names an external address', {}, { sender: ALICE, recipients: [{ r: 'someone@remote.test', R: 'orig@elsewhere.test' }] }, { kind: 'rewrite', rule: 'forwarded-alias' }],

    // Relayed by a local user or a local submission: alias evidence required.
    ['relay client, direct external (two-remote-direct.ctl)', {}, { sender: ALICE, ...RELAY, recipients: [{ r: 'x1@remote.test' }, { r: 'x2@remote.test' }] }, { kind: 'pass', rule: 'relayed-by-local-user' }],
    ['ORELAYCLIENT alone counts as relay', {}, { sender: ALICE, source: 'smtp', relayClient: true, recipients: [{ r: 'x1@remote.test' }] }, { kind: 'pass', rule: 'relayed-by-local-user' }],
    ['authsmtp alone counts as relay', {}, { sender: ALICE, source: 'authsmtp', recipients: [{ r: 'x1@remote.test' }] }, { kind: 'pass', rule: 'relayed-by-local-user' }],
    ['relay client with an external ORCPT', {}, { sender: ALICE, ...RELAY, recipients: [{ r: 'x1@remote.test', R: 'x1@remote.test' }] }, { kind: 'pass', rule: 'relayed-by-local-user' }],
    ['relay client, direct external, rewrite-relayed', { rewriteRelayed: true }, { sender: ALICE, ...RELAY, recipients: [{ r: 'x1@remote.test' }] }, { kind: 'rewrite', rule: 'rewrite-relayed', forwardedTo: ['x1@remote.test'] }],
    ['relay client, alias + direct (mixed-fwd-local-direct.ctl)', {}, { sender: ALICE, ...RELAY, recipients: [ALIAS, { r: 'bob@example.org' }, { r: 'y@other.test' }] }, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['someone@remote.test'] }],
    ['relay client, alias + direct, rewrite-relayed', { rewriteRelayed: true }, { sender: ALICE, ...RELAY, recipients: [ALIAS, { r: 'y@other.test' }] }, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['someone@remote.test', 'y@other.test'] }],
    ['sendmail to an external address', {}, { sender: ALICE, source: 'local', recipients: [{ r: 'x@remote.test' }] }, { kind: 'pass', rule: 'local-submission' }],
    ['sendmail to an alias', {}, { sender: ALICE, source: 'local', recipients: [ALIAS] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['.courier forward re-injected (dotcourier-forward-reinjected-local.ctl)', {}, { sender: ALICE, source: 'local', recipients: [{ r: 'dottarget@remote.test', R: 'dotfwd@example.org' }] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['.courier forward of a domain not forwarded', { forwardedDomains: ['lists.example.org'] }, { sender: ALICE, source: 'local', recipients: [{ r: 'dottarget@remote.test', R: 'dotfwd@example.org' }] }, { kind: 'pass', rule: 'not-forwarded-domain' }],
    ['an unknown source needs alias evidence', {}, { sender: ALICE, source: 'uucp', recipients: [{ r: 'x@remote.test' }] }, { kind: 'pass', rule: 'not-forwarded' }],

    // A domain this host is a backup MX for (esmtpacceptmailfor): relayed as it came, unless an alias says otherwise.
    ['backup MX: external MTA to a backup-MX domain', {}, { sender: ALICE, recipients: [{ r: BACKUP_MX }] }, { kind: 'pass', rule: 'backup-mx-relay' }],
    ['backup MX: ORCPT names the recipient itself', {}, { sender: ALICE, recipients: [{ r: BACKUP_MX, R: BACKUP_MX }] }, { kind: 'pass', rule: 'backup-mx-relay' }],
    ['backup MX: domain in another case', {}, { sender: ALICE, recipients: [{ r: 'bob@Backup-MX.Test' }] }, { kind: 'pass', rule: 'backup-mx-relay' }],
    ['backup MX beside a local recipient', {}, { sender: ALICE, recipients: [{ r: BACKUP_MX }, { r: 'bob@example.org' }] }, { kind: 'pass', rule: 'backup-mx-relay' }],
    ['backup MX, rewrite-relayed', { rewriteRelayed: true }, { sender: ALICE, recipients: [{ r: BACKUP_MX }] }, { kind: 'rewrite', rule: 'rewrite-relayed', forwardedTo: [BACKUP_MX] }],
    ['backup MX beside an alias: only the alias target is forwarded', {}, { sender: ALICE, recipients: [ALIAS, { r: BACKUP_MX }] }, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['someone@remote.test'] }],
    ['an alias whose target is in a backup-MX domain is a forward', {}, { sender: ALICE, recipients: [{ r: BACKUP_MX, R: 'fwd@example.org' }] }, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: [BACKUP_MX] }],
    ['beside a multi alias, a backup-MX recipient counts as a member', {}, { sender: ALICE, recipients: [{ r: BACKUP_MX }, { r: 'multi@example.org', aliasEntry: true }] }, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: [BACKUP_MX] }],
    ['relay client to a backup-MX domain and elsewhere', {}, { sender: ALICE, ...RELAY, recipients: [{ r: BACKUP_MX }, { r: 'x1@remote.test' }] }, { kind: 'pass', rule: 'relayed-by-local-user' }],
    ['backup MX, excluded recipient', { excludeRecipients: patterns(BACKUP_MX_DOMAIN) }, { sender: ALICE, recipients: [{ r: BACKUP_MX }] }, { kind: 'pass', rule: 'excluded-recipients' }],

    // exclude-recipients and mixed recipients.
    ['every forward target excluded', { excludeRecipients: patterns('remote.test') }, { sender: ALICE, recipients: [ALIAS] }, { kind: 'pass', rule: 'excluded-recipients' }],
    ['one of two targets excluded', { excludeRecipients: patterns('one@remote.test') }, { sender: ALICE, ...RELAY, recipients: [{ r: 'one@remote.test' }, { r: 'two@remote.test' }, { r: 'two@example.org', aliasEntry: true }] }, { kind: 'rewrite', forwardedTo: ['two@remote.test'] }],
    ['local and forwarded, mixed-recipients rewrite', {}, { sender: ALICE, recipients: [ALIAS, { r: 'bob@example.org' }] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['local and forwarded, mixed-recipients pass', { mixedRecipients: 'pass' }, { sender: ALICE, recipients: [ALIAS, { r: 'bob@example.org' }] }, { kind: 'pass', rule: 'mixed-recipients' }],
    ['only forwarded, mixed-recipients pass', { mixedRecipients: 'pass' }, { sender: ALICE, recipients: [ALIAS] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['the srs-domain counts as local even if Courier says not', { srsDomain: 'srs.example.net' }, { sender: ALICE, recipients: [{ r: 'x@srs.example.net' }] }, { kind: 'pass', rule: 'only-local-recipients' }],

    // What SRS makes of the sender.
    ['a sender SRS cannot encode', {}, { sender: 'a@b@sender.test', recipients: [ALIAS] }, { kind: 'pass', rule: 'sender-not-encodable' }],
    ['a sender with an empty local part', {}, { sender: '@sender.test', recipients: [ALIAS] }, { kind: 'pass', rule: 'sender-not-encodable' }],
  ];

  it.each(rows)('%s', (_name, policy, spec, expected) => {
    expect(decide(envelope(spec), contextWith(policy))).toMatchObject(expected);
  });

  it('rewrites to the address the SRS core makes', () => {
    const decision = decide(envelope({ sender: ALICE, recipients: [ALIAS] }), contextWith());
    expect(decision).toEqual({
      kind: 'rewrite',
      rule: 'forwarded-alias',
      reason: expect.any(String),
      from: ALICE,
      to: srsAddressFor(ALICE),
      forwardedTo: ['someone@remote.test'],
    });
    expect(decision.kind === 'rewrite' && decision.to).toMatch(/^SRS0-[^=]{4}=[A-Z2-7]{2}=sender\.test=alice@example\.org$/);
  });

  it('forwards a foreign SRS0 sender as SRS1, keeping the first hop', () => {
    const foreign = 'SRS0=abcd=AB=origin.test=carol@hop.test';
    const decision = decide(envelope({ sender: foreign, recipients: [ALIAS] }), contextWith());
    expect(decision).toMatchObject({ kind: 'rewrite', rule: 'forwarded-alias', from: foreign });
    expect(decision.kind === 'rewrite' && decision.to).toMatch(/^SRS1-[^=]{4}=hop\.test==abcd=AB=origin\.test=carol@example\.org$/);
  });

  it('forwards a foreign SRS1 sender as SRS1 of the same first hop', () => {
    const foreign = 'SRS1=wxyz=first.test==abcd=AB=origin.test=carol@second.test';
    const decision = decide(envelope({ sender: foreign, recipients: [ALIAS] }), contextWith());
    expect(decision.kind === 'rewrite' && decision.to).toMatch(/^SRS1-[^=]{4}=first\.test==abcd=AB=origin\.test=carol@example\.org$/);
  });
});

describe('decide: SRS recipients (reverse or reject)', () => {
  const ALICE_SRS0 = srsAddressFor(ALICE);
  const CAROL_SRS1 = srsAddressFor('SRS0=abcd=AB=origin.test=carol@hop.test');
  const [srs0Local] = ALICE_SRS0.split('@');
  const withHash = (hash: string) => ALICE_SRS0.replace(/^SRS0-[^=]+=/, `SRS0-${hash}=`);
  const goodHash = /^SRS0-([^=]+)=/.exec(ALICE_SRS0)?.[1] ?? '';
  const badHash = goodHash === 'AAAA' ? 'BBBB' : 'AAAA';

  /** Expected fields: a reversed recipient lists only those the row is about. */
  type SrsRow = readonly [name: string, policy: Partial<Policy>, sender: string, recipient: string, expected: Record<string, unknown>];
  const rows: SrsRow[] = [
    ['bounce to SRS0', {}, '', ALICE_SRS0, { kind: 'reverse', rule: 'srs-bounce', recipients: [{ file: 0, index: 0, from: ALICE_SRS0, to: ALICE }] }],
    ['bounce to SRS1 goes to the first hop', {}, '', CAROL_SRS1, { kind: 'reverse', recipients: [{ file: 0, index: 0, from: CAROL_SRS1, to: 'SRS0=abcd=AB=origin.test=carol@hop.test' }] }],
    ["bounce to the pipe glue's form srsbounce-SRS0", {}, '', `srsbounce-${ALICE_SRS0}`, { kind: 'reverse', recipients: [{ file: 0, index: 0, from: `srsbounce-${ALICE_SRS0}`, to: ALICE }] }],
    ['bounce with a custom bounce prefix', { bouncePrefix: 'b+' }, '', `b+${ALICE_SRS0}`, { kind: 'reverse', rule: 'srs-bounce' }],
    ['lower-cased tag and domain', {}, '', `${srs0Local?.toLowerCase()}@EXAMPLE.ORG`, { kind: 'reverse', recipients: [{ file: 0, index: 0, from: `${srs0Local?.toLowerCase()}@EXAMPLE.ORG`, to: 'alice@sender.test' }] }],
    ['bounce from MAILER-DAEMON@', {}, 'MAILER-DAEMON@mx.remote.test', ALICE_SRS0, { kind: 'reverse', rule: 'srs-bounce' }],
    ['bounce from postmaster@ in any case', {}, 'PostMaster@remote.test', ALICE_SRS0, { kind: 'reverse', rule: 'srs-bounce' }],
    ['a bounce 21 days late is still reversed', {}, '', srsAddressFor(ALICE, 21), { kind: 'reverse', rule: 'srs-bounce' }],
    ['non-bounce to SRS0 is refused', {}, 'spammer@remote.test', ALICE_SRS0, { kind: 'reject', rule: 'srs-not-bounce', srsError: 'not-bounce', recipient: ALICE_SRS0, reply: { code: 550, text: `5.7.1 <${ALICE_SRS0}>: this SRS address accepts only bounces (mail from <> or MAILER-DAEMON)` } }],
    ['non-bounce with a forged hash: refused as non-bounce', {}, 'spammer@remote.test', withHash(badHash), { kind: 'reject', rule: 'srs-not-bounce' }],
    ['non-bounce, reverse-only-bounces off', { reverseOnlyBounces: false }, 'friend@remote.test', ALICE_SRS0, { kind: 'reverse', rule: 'srs-reverse', recipients: [{ file: 0, index: 0, from: ALICE_SRS0, to: ALICE }] }],
    ['bad hash', {}, '', withHash(badHash), { kind: 'reject', rule: 'srs-invalid', srsError: 'bad-hash' }],
    ['hash shorter than hash-minimum', {}, '', withHash(goodHash.slice(0, 3)), { kind: 'reject', rule: 'srs-invalid', srsError: 'bad-hash' }],
    ['expired (22 days)', {}, '', srsAddressFor(ALICE, 22), { kind: 'reject', rule: 'srs-invalid', srsError: 'expired' }],
    ['dated in the future', {}, '', srsAddressFor(ALICE, -2), { kind: 'reject', rule: 'srs-invalid', srsError: 'expired' }],
    ['malformed SRS0', {}, '', 'SRS0=abcd@example.org', { kind: 'reject', rule: 'srs-invalid', srsError: 'malformed', reply: { code: 550, text: expect.stringMatching(/^5\.1\.1 <SRS0=abcd@example\.org>: SRS0 address does not have the form/) } }],
    ['malformed timestamp', {}, '', 'SRS0=abcd=A=sender.test=alice@example.org', { kind: 'reject', srsError: 'malformed' }],
    ['bounce prefix without SRS after it', {}, '', 'srsbounce-junk@example.org', { kind: 'reject', rule: 'srs-invalid', srsError: 'not-srs' }],
    ['a bounce prefix that looks like the SRS tag does not swallow it', { bouncePrefix: 'srs' }, '', ALICE_SRS0, { kind: 'reverse', recipients: [{ file: 0, index: 0, from: ALICE_SRS0, to: ALICE }] }],
    ['bounce prefix disabled: no longer ours', { bouncePrefix: null }, '', `srsbounce-${ALICE_SRS0}`, { kind: 'pass', rule: 'null-sender' }],
    ['SRS address of another domain is not ours', {}, '', ALICE_SRS0.replace('@example.org', '@other.test'), { kind: 'pass', rule: 'null-sender' }],
    ['SRS address of a local domain that is not srs-domain', {}, '', ALICE_SRS0.replace('@example.org', '@lists.example.org'), { kind: 'pass', rule: 'null-sender' }],
  ];

  it.each(rows)('%s', (_name, policy, sender, recipient, expected) => {
    const decision = decide(envelope({ sender, recipients: [{ r: recipient }] }), contextWith(policy));
    expect(decision).toMatchObject(expected);
  });

  it.each([
    ['bad-hash', withHash(badHash), /bad hash \(forged, or signed with a secret we no longer have\)/],
    ['expired', srsAddressFor(ALICE, 30), /expired: it is 30 days old, at most 21 days are accepted/],
    ['future', srsAddressFor(ALICE, -3), /3 days in the future/],
  ])('explains %s to a human in a 550 5.1.1 reply', (_code, address, text) => {
    const decision = decide(envelope({ sender: '', recipients: [{ r: address }] }), contextWith());
    if (decision.kind !== 'reject') throw new Error(`expected a reject, got ${decision.kind}`);
    expect(decision.reply.code).toBe(550);
    expect(decision.reply.text).toMatch(new RegExp(`^5\\.1\\.1 <${escape(address)}>: `));
    expect(decision.reply.text).toMatch(text);
    expect(decision.reply.text).not.toMatch(/[\r\n]/);
  });

  it('reverses every SRS recipient, in its own control file, and leaves others alone', () => {
    const bob = srsAddressFor('bob@other.test');
    const decision = decide(
      envelope({
        sender: '',
        recipients: [{ r: ALICE_SRS0 }, { r: 'postmaster@example.org' }, { r: bob, file: 1 }],
      }),
      contextWith(),
    );
    expect(decision).toEqual({
      kind: 'reverse',
      rule: 'srs-bounce',
      reason: expect.any(String),
      recipients: [
        { file: 0, index: 0, from: ALICE_SRS0, original: ALICE, to: ALICE, capKey: expect.any(String) },
        { file: 1, index: 0, from: bob, original: 'bob@other.test', to: 'bob@other.test', capKey: expect.any(String) },
      ],
      sender: '',
      sentBack: true,
    });
  });

  it.each([
    ['the null sender', '', {}],
    ['a forged postmaster', 'PostMaster@bank.test', {}],
    ['a forged MAILER-DAEMON', 'mailer-daemon@bank.test', {}],
    ['a non-bounce with reverse-only-bounces off', 'friend@remote.test', { reverseOnlyBounces: false }],
    ['a kept bounce', 'PostMaster@bank.test', { srsBounces: { mode: 'deliver', address: 'postmaster@example.org' } }],
  ] as const)('a message to an SRS address from %s leaves with the null sender', (_name, sender, policy) => {
    const decision = decide(envelope({ sender, recipients: [{ r: ALICE_SRS0 }] }), contextWith(policy));
    expect(decision).toMatchObject({ kind: 'reverse', sender: '' });
  });

  describe('srs-bounces: a mailbox', () => {
    const keep = { srsBounces: { mode: 'deliver', address: 'postmaster@example.org' } } as const;

    it('delivers a valid bounce there instead and names the original sender', () => {
      const decision = decide(envelope({ sender: '', recipients: [{ r: `srsbounce-${ALICE_SRS0}` }] }), contextWith(keep));
      expect(decision).toMatchObject({
        kind: 'reverse',
        rule: 'srs-bounce-kept',
        sentBack: false,
        sender: '',
        recipients: [{ from: `srsbounce-${ALICE_SRS0}`, original: ALICE, to: 'postmaster@example.org' }],
      });
      expect(decision.reason).toContain(`<${ALICE}>`);
      expect(decision.reason).toContain('<postmaster@example.org>');
    });

    it.each([
      ['a forged hash', '', withHash(badHash), 'srs-invalid'],
      ['an expired address', '', srsAddressFor(ALICE, 22), 'srs-invalid'],
      ['a non-bounce', 'spammer@remote.test', ALICE_SRS0, 'srs-not-bounce'],
    ])('still refuses %s', (_name, sender, recipient, rule) => {
      expect(decide(envelope({ sender, recipients: [{ r: recipient }] }), contextWith(keep))).toMatchObject({ kind: 'reject', rule });
    });
  });

  describe('the bounce cap key', () => {
    const keyOf = (recipient: string, policy: Partial<Policy> = {}): unknown => {
      const decision = decide(envelope({ sender: '', recipients: [{ r: recipient }] }), contextWith(policy));
      if (decision.kind !== 'reverse') throw new Error(`expected a reversal of ${recipient}, got ${decision.kind}`);
      const key = decision.recipients[0]?.capKey;
      expect(key).toMatch(/^[\w-]{22}$/);
      return key;
    };
    const [local = '', domain = ''] = ALICE_SRS0.split('@');
    const alternate = (text: string): string => text.replace(/[a-z]/gi, (c, i: number) => (i % 2 ? c.toUpperCase() : c.toLowerCase()));

    it.each([
      ['the local part in upper case', `${local.toUpperCase()}@${domain}`],
      ['the local part in lower case', `${local.toLowerCase()}@${domain}`],
      ['mixed case, domain in upper case', `${alternate(local)}@${domain.toUpperCase()}`],
      ['another separator after the tag', `SRS0+${local.slice(5)}@${domain}`],
      ['the bounce prefix', `srsbounce-${ALICE_SRS0}`],
    ])('counts %s as the same address', (_name, spelling) => {
      expect(keyOf(spelling)).toBe(keyOf(ALICE_SRS0));
    });

    it('tells addresses apart: another sender, another day', () => {
      const keys = [ALICE_SRS0, srsAddressFor('bob@sender.test'), srsAddressFor(ALICE, 1)].map((address) => keyOf(address));
      expect(new Set(keys).size).toBe(3);
    });

    it('has the same short size for any address', () => {
      expect(keyOf(srsAddressFor(`${'x'.repeat(200)}@sender.test`))).toHaveLength(22);
    });
  });

  it('refuses the whole message when one SRS recipient is invalid', () => {
    const decision = decide(envelope({ sender: '', recipients: [{ r: ALICE_SRS0 }, { r: withHash(badHash) }] }), contextWith());
    expect(decision).toMatchObject({ kind: 'reject', recipient: withHash(badHash), srsError: 'bad-hash' });
  });

  it('ignores an SRS recipient already delivered', () => {
    const decision = decide(envelope({ sender: '', recipients: [{ r: withHash(badHash), aliasEntry: true }] }), contextWith());
    expect(decision).toMatchObject({ kind: 'pass', rule: 'null-sender' });
  });

  it('handles SRS recipients before the sender rules (a local sender cannot skip the check)', () => {
    const decision = decide(envelope({ sender: 'bob@example.org', recipients: [{ r: withHash(badHash) }] }), contextWith());
    expect(decision).toMatchObject({ kind: 'reject', rule: 'srs-not-bounce' });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

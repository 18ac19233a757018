// Forwarded mail gets an SRS0 sender; everything else keeps its own.
import { sendmailAs, waitForMaildirMessage, withEnableFiltering } from '../../kit/realCourier/courier';
import { readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A, RELAY_CLIENT } from '../../kit/realCourier/world';
import { expectCourierAddedOnlyReceived, expectSameMessage, expectSrs0Of, headerValue } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';

const sink = useSink();
const { srsDomain, secretsFile } = readInstalledPolicy();

describe('forwarded by an alias: the envelope sender becomes SRS0', () => {
  e2eTest('external sender → single-target alias → external: SRS0 that Perl srs reverses, message byte-identical', async () => {
    const token = newToken('alias');
    const sent = buildMessage(token, A.externalSender, A.alias);

    const reply = await sendMail({ from: A.externalSender, to: [A.alias] }, sent);
    expect(reply.code).toBe(250);

    const copy = await sink().waitForOne(carrying(token));
    expect(copy.rcptTo).toEqual([A.aliasTarget]);
    await expectSrs0Of(copy.mailFrom, A.externalSender, srsDomain, secretsFile);
    expectCourierAddedOnlyReceived(copy.raw, sent);
    await expectSameMessage(copy.raw, sent);
  });

  e2eTest('multi-member alias (one local, one external member): both copies carry the same SRS0 sender', async () => {
    const token = newToken('multi');
    const sent = buildMessage(token, A.externalSender, A.multiAlias);

    expect((await sendMail({ from: A.externalSender, to: [A.multiAlias] }, sent)).code).toBe(250);

    const remote = await sink().waitForOne(carrying(token));
    expect(remote.rcptTo).toEqual([A.multiAliasRemote]);
    await expectSrs0Of(remote.mailFrom, A.externalSender, srsDomain, secretsFile);
    expectCourierAddedOnlyReceived(remote.raw, sent);
    // One control file, one sender: the local member sees the SRS return path too (mixed-recipients: rewrite).
    const local = await waitForMaildirMessage(A.localUser, token);
    expect(headerValue(local, 'Return-Path')).toBe(`<${remote.mailFrom}>`);
  });

  e2eTest('aliasdir (.courier) forward, re-injected by local delivery: SRS0 once enablefiltering has "local"', async () => {
    const token = newToken('dotfwd');
    const sent = buildMessage(token, A.externalSender, A.dotForward);

    await withEnableFiltering(['esmtp', 'local'], async () => {
      expect((await sendMail({ from: A.externalSender, to: [A.dotForward] }, sent)).code).toBe(250);
      const copy = await sink().waitForOne(carrying(token));
      expect(copy.rcptTo).toEqual([A.dotForwardTarget]);
      await expectSrs0Of(copy.mailFrom, A.externalSender, srsDomain, secretsFile);
    });
  });

  e2eTest('aliasdir forward with enablefiltering "esmtp" only: the filter never sees the re-injected copy', async () => {
    const token = newToken('dotfwd-unfiltered');
    const sent = buildMessage(token, A.externalSender, A.dotForward);

    await withEnableFiltering(['esmtp'], async () => {
      expect((await sendMail({ from: A.externalSender, to: [A.dotForward] }, sent)).code).toBe(250);
      const copy = await sink().waitForOne(carrying(token));
      expect(copy.mailFrom).toBe(A.externalSender);
    });
  });
});

describe('not forwarded: the envelope sender stays as it is', () => {
  e2eTest('local sender (relay client) → external recipient', async () => {
    const token = newToken('local-out');
    const sent = buildMessage(token, A.localMailbox, A.remoteRecipient);

    expect((await sendMail({ from: A.localMailbox, to: [A.remoteRecipient] }, sent, RELAY_CLIENT)).code).toBe(250);

    const copy = await sink().waitForOne(carrying(token));
    expect(copy.mailFrom).toBe(A.localMailbox);
    expect(copy.rcptTo).toEqual([A.remoteRecipient]);
  });

  e2eTest('local user sendmail → external, with enablefiltering "local" (the filter sees it): sender kept', async () => {
    const token = newToken('sendmail-out');
    const sent = buildMessage(token, A.localMailbox, A.remoteRecipient);

    await withEnableFiltering(['esmtp', 'local'], async () => {
      await sendmailAs(A.localUser, A.localMailbox, A.remoteRecipient, sent);
      const copy = await sink().waitForOne(carrying(token));
      expect(copy.mailFrom).toBe(A.localMailbox);
    });
  });

  e2eTest('external sender → local mailbox', async () => {
    const token = newToken('inbound');
    const sent = buildMessage(token, A.externalSender, A.localMailbox);

    expect((await sendMail({ from: A.externalSender, to: [A.localMailbox] }, sent)).code).toBe(250);

    const delivered = await waitForMaildirMessage(A.localUser, token);
    expect(headerValue(delivered, 'Return-Path')).toBe(`<${A.externalSender}>`);
  });

  e2eTest('null sender → alias → external: still the null sender', async () => {
    const token = newToken('null');
    const sent = buildMessage(token, 'mailer-daemon@sender.test', A.alias);

    expect((await sendMail({ from: '', to: [A.alias] }, sent)).code).toBe(250);

    const copy = await sink().waitForOne(carrying(token));
    expect(copy.mailFrom).toBe('');
    expect(copy.rcptTo).toEqual([A.aliasTarget]);
    expectCourierAddedOnlyReceived(copy.raw, sent);
  });
});

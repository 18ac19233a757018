// Bounces to our SRS addresses go back to the original sender; SRS
// addresses that are forged, expired or malformed, and non-bounces to valid ones, are refused.
import { waitForMaildirMessage } from '../../kit/realCourier/courier';
import { readInstalledPolicy, withPolicySettings } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail, type SendResult } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A } from '../../kit/realCourier/world';
import { readSecretsFile } from '../../lib/config';
import { createSrs } from '../../lib/srs';
import { expectSrs0Of, headerValue } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';

const sink = useSink();
const { srsDomain, secretsFile } = readInstalledPolicy();
const DAY_MS = 24 * 60 * 60 * 1000;

/** Forwards a message through the alias and returns the SRS0 address Courier sent it from. */
async function srsAddressOfAForward(): Promise<string> {
  const token = newToken('to-bounce');
  expect((await sendMail({ from: A.externalSender, to: [A.alias] }, buildMessage(token, A.externalSender, A.alias))).code).toBe(250);
  const { mailFrom } = await sink().waitForOne(carrying(token));
  await expectSrs0Of(mailFrom, A.externalSender, srsDomain, secretsFile);
  return mailFrom;
}

/** An SRS0 address signed with the installed secret on a day `daysAgo` days back (lib/srs with its clock injected). */
async function srsAddressFrom(daysAgo: number): Promise<string> {
  const read = await readSecretsFile(secretsFile, 'policy', { checkPermissions: false });
  if (!read.ok) throw new Error(read.error.message);
  const srs = createSrs({ secrets: read.value, separator: '-', now: () => Date.now() - daysAgo * DAY_MS });
  const forwarded = srs.forward(A.externalSender, srsDomain);
  if (!forwarded.ok) throw new Error(forwarded.error.message);
  return forwarded.value;
}

/** The first hash character replaced: same form, wrong signature (hashes compare without case, so 'a' is no forgery of 'A'). */
function withForgedHash(address: string): string {
  const at = 'SRS0-'.length;
  const forged = address[at]?.toUpperCase() === 'A' ? 'B' : 'A';
  return address.slice(0, at) + forged + address.slice(at + 1);
}

function bounceTo(recipient: string): Promise<SendResult> {
  return sendMail({ from: '', to: [recipient] }, buildMessage(newToken('bounce'), 'mailer-daemon@remote.test', recipient));
}

function expectRefused(result: SendResult): void {
  expect({ code: Math.floor(result.code / 100), command: result.command, response: result.response }).toEqual({
    code: 5,
    command: expect.stringMatching(/^(RCPT TO|DATA)$/),
    response: expect.any(String),
  });
}

describe('a bounce to one of our SRS addresses', () => {
  e2eTest('MAIL FROM:<> to the SRS0 address of a forward is delivered to the original sender, null sender kept', async () => {
    const srsAddress = await srsAddressOfAForward();
    const token = newToken('bounce');

    const reply = await sendMail({ from: '', to: [srsAddress] }, buildMessage(token, 'mailer-daemon@remote.test', srsAddress));
    expect(reply.code).toBe(250);

    const returned = await sink().waitForOne(carrying(token));
    expect(returned.mailFrom).toBe('');
    expect(returned.rcptTo).toEqual([A.externalSender]);
  });

  e2eTest('the same address in lower case (an MTA that folds case) still reaches the original sender', async () => {
    const srsAddress = (await srsAddressOfAForward()).toLowerCase();
    const token = newToken('bounce-lc');

    expect((await sendMail({ from: '', to: [srsAddress] }, buildMessage(token, 'mailer-daemon@remote.test', srsAddress))).code).toBe(250);

    const returned = await sink().waitForOne(carrying(token));
    expect(returned.rcptTo).toEqual([A.externalSender]);
  });
});

describe('what guards reversal', () => {
  e2eTest('a bounce from a forged PostMaster@ sender is reversed and leaves from the null sender', async () => {
    const srsAddress = await srsAddressOfAForward();
    const token = newToken('forged-postmaster');

    const reply = await sendMail({ from: 'PostMaster@bank.test', to: [srsAddress] }, buildMessage(token, 'PostMaster@bank.test', srsAddress));
    expect(reply.code).toBe(250);

    const returned = await sink().waitForOne(carrying(token));
    expect(returned.mailFrom).toBe('');
    expect(returned.rcptTo).toEqual([A.externalSender]);
  });

  e2eTest(
    'max-bounces-per-address: 1 lets one bounce back and refuses the next',
    async () => {
      await withPolicySettings({ 'max-bounces-per-address': 1 }, async () => {
        const srsAddress = await srsAddressOfAForward();
        const first = newToken('capped-1');
        expect((await sendMail({ from: '', to: [srsAddress] }, buildMessage(first, 'mailer-daemon@remote.test', srsAddress))).code).toBe(250);
        expect((await sink().waitForOne(carrying(first))).rcptTo).toEqual([A.externalSender]);

        const second = await sendMail({ from: '', to: [srsAddress.toLowerCase()] }, buildMessage(newToken('capped-2'), 'mailer-daemon@remote.test', srsAddress));
        expectRefused(second);
        expect(second.response).toMatch(/too many bounces to this SRS address \(max-bounces-per-address is 1\)/);
      });
    },
    60_000,
  );

  e2eTest(
    'srs-bounces: a local mailbox gets a valid bounce instead of the original sender',
    async () => {
      await withPolicySettings({ 'srs-bounces': A.localMailbox }, async () => {
        const srsAddress = await srsAddressOfAForward();
        const token = newToken('kept-bounce');
        expect((await sendMail({ from: '', to: [srsAddress] }, buildMessage(token, 'mailer-daemon@remote.test', srsAddress))).code).toBe(250);
        expect(headerValue(await waitForMaildirMessage(A.localUser, token), 'Return-Path')).toBe('<>');
      });
    },
    60_000,
  );
});

describe('refused with 5xx, at RCPT or at the end of DATA', () => {
  e2eTest('a forged SRS address (hash not ours)', async () => {
    expectRefused(await bounceTo(withForgedHash(await srsAddressFrom(0))));
  });

  e2eTest('an expired SRS address (signed 60 days ago)', async () => {
    expectRefused(await bounceTo(await srsAddressFrom(60)));
  });

  e2eTest('a malformed SRS0 address (no timestamp, domain or local part)', async () => {
    expectRefused(await bounceTo(`SRS0-garbage@${srsDomain}`));
  });

  e2eTest('a malformed SRS1 address', async () => {
    expectRefused(await bounceTo(`SRS1-AAAA=@${srsDomain}`));
  });

  e2eTest('SRS0 with "=" after the tag: Courier has no aliasdir entry for it (no catch-all)', async () => {
    expectRefused(await bounceTo(`SRS0=AAAA=JO=sender.test=alice@${srsDomain}`));
  });

  e2eTest('a valid SRS address, but the mail is no bounce (reverse-only-bounces: true)', async () => {
    const srsAddress = await srsAddressOfAForward();
    const token = newToken('not-a-bounce');
    expectRefused(await sendMail({ from: 'mallory@evil.test', to: [srsAddress] }, buildMessage(token, 'mallory@evil.test', srsAddress)));
  });
});

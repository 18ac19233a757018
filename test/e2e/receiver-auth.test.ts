// A forwarded copy judged the way its receiving MTA judges it (mailauth, with a stub DNS for
// the test domains): SRS makes SPF pass for our host while the sender's own DKIM signature
// survives and carries DMARC; without the filter the same forward fails SPF.
import { startFilter, stopFilter } from '../../kit/realCourier/courier';
import { readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying, type Delivery } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A } from '../../kit/realCourier/world';
import { srs0Pattern } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildUnsignedMessage, newToken } from './support/message';
import { judge, signAs, testZone } from './support/receiver';

const sink = useSink();
const { srsDomain } = readInstalledPolicy();
const SENDER_DOMAIN = 'sender.test';
const zone = testZone(SENDER_DOMAIN, srsDomain);

/** A message DKIM-signed by the sender's domain, sent to the single-target alias; its copy at the sink. */
async function forwardSigned(label: string): Promise<Delivery> {
  const token = newToken(label);
  const sent = await signAs(SENDER_DOMAIN, buildUnsignedMessage(token, A.externalSender, A.alias));
  expect((await sendMail({ from: A.externalSender, to: [A.alias] }, sent)).code).toBe(250);
  const copy = await sink().waitForOne(carrying(token));
  expect(copy.rcptTo).toEqual([A.aliasTarget]);
  expect(copy.clientIp).toBe('127.0.0.1');
  return copy;
}

const dkimPassFor = (domain: string): unknown => [
  expect.objectContaining({ signingDomain: domain, status: expect.objectContaining({ result: 'pass', aligned: domain }) }),
];

describe('a forwarded copy, judged by its receiver', () => {
  e2eTest('SRS sender: SPF passes for our host, the DKIM signature verifies, DMARC passes for the From: domain', async () => {
    const copy = await forwardSigned('auth-srs');
    expect(copy.mailFrom).toMatch(srs0Pattern(A.externalSender, srsDomain));

    const verdict = await judge(copy, zone);
    expect(verdict.spf).toMatchObject({ domain: srsDomain, status: { result: 'pass' } });
    expect(verdict.dkim.results).toEqual(dkimPassFor(SENDER_DOMAIN));
    expect(verdict.dmarc).toMatchObject({ domain: SENDER_DOMAIN, status: { result: 'pass' }, alignment: { dkim: { result: SENDER_DOMAIN } } });

    // The same copy under the sender it came with: that domain's SPF does not name our host.
    expect((await judge(copy, zone, A.externalSender)).spf).toMatchObject({ domain: SENDER_DOMAIN, status: { result: 'fail' } });
  });

  e2eTest('without the filter: the copy keeps its sender and fails SPF (only DKIM still carries DMARC)', async () => {
    await stopFilter();
    try {
      const copy = await forwardSigned('auth-unfiltered');
      expect(copy.mailFrom).toBe(A.externalSender);

      const verdict = await judge(copy, zone);
      expect(verdict.spf).toMatchObject({ domain: SENDER_DOMAIN, status: { result: 'fail' } });
      expect(verdict.dkim.results).toEqual(dkimPassFor(SENDER_DOMAIN));
      expect(verdict.dmarc).toMatchObject({ status: { result: 'pass' } });
    } finally {
      await startFilter();
    }
  });
});

// Mail whose sender is already someone else's SRS0 is forwarded as SRS1.
import { readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A } from '../../kit/realCourier/world';
import { srs1Pattern } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';
import { perlForward, perlReverse } from './support/perl-srs';

const sink = useSink();
const { srsDomain, secretsFile } = readInstalledPolicy();
const FIRST_HOP = 'hop.test';

e2eTest('an SRS0 sender forwarded again becomes SRS1; reversing it gives the first hop SRS0, and a bounce goes there', async () => {
  const firstHop = await perlForward(A.externalSender, 'the first hop keeps its own secret', FIRST_HOP);
  expect(firstHop).toMatch(/^SRS0=[^=]+=[^=]+=sender\.test=alice@hop\.test$/);
  const token = newToken('srs1');

  expect((await sendMail({ from: firstHop, to: [A.alias] }, buildMessage(token, firstHop, A.alias))).code).toBe(250);

  const forwarded = await sink().waitForOne(carrying(token));
  expect(forwarded.rcptTo).toEqual([A.aliasTarget]);
  expect(forwarded.mailFrom).toMatch(srs1Pattern(firstHop, srsDomain));
  expect(await perlReverse(forwarded.mailFrom, secretsFile)).toBe(firstHop);

  const bounceToken = newToken('srs1-bounce');
  const bounce = await sendMail({ from: '', to: [forwarded.mailFrom] }, buildMessage(bounceToken, 'mailer-daemon@remote.test', forwarded.mailFrom));
  expect(bounce.code).toBe(250);
  const returned = await sink().waitForOne(carrying(bounceToken));
  expect(returned.mailFrom).toBe('');
  expect(returned.rcptTo).toEqual([firstHop]);
});

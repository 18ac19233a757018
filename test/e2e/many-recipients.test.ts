// An alias with 150 external members. SMTP allows 100 RCPTs per
// transaction (Courier answers "431 Too many recipients"), but one RCPT of an alias that
// expands to 150 is fine; submit then writes the recipients into several control files,
// and the filter must rewrite the sender in every one of them.
import { readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A } from '../../kit/realCourier/world';
import { expectCourierAddedOnlyReceived, srs0Pattern } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';
import { perlReverse } from './support/perl-srs';

const sink = useSink();
const { srsDomain, secretsFile } = readInstalledPolicy();

e2eTest('a message to an alias of 150 external members: every copy leaves with the SRS0 sender', async () => {
  const token = newToken('many');
  const sent = buildMessage(token, A.externalSender, A.manyAlias);
  const members = Array.from({ length: A.manyAliasSize }, (_, i) => `r${String(i + 1).padStart(3, '0')}@remote.test`);

  expect((await sendMail({ from: A.externalSender, to: [A.manyAlias] }, sent)).code).toBe(250);

  const copies = await sink().waitFor(carrying(token), { recipients: members.length, timeoutMs: 60_000 });
  expect(copies.flatMap((c) => c.rcptTo).sort()).toEqual(members);
  const senders = [...new Set(copies.map((c) => c.mailFrom))];
  expect(senders).toHaveLength(1);
  expect(senders[0]).toMatch(srs0Pattern(A.externalSender, srsDomain));
  expect(await perlReverse(senders[0] ?? '', secretsFile)).toBe(A.externalSender);
  for (const copy of copies) expectCourierAddedOnlyReceived(copy.raw, sent);
}, 90_000);

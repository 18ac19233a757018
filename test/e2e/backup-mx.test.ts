// Mail for a domain this host is a backup MX for (esmtpacceptmailfor.dir) is relayed by
// Courier as it came: not a forward, so its envelope sender stays.
import { markMailLog } from '../../kit/realCourier/courier';
import { readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { waitUntil } from '../../kit/realCourier/wait';
import { ADDRESSES as A } from '../../kit/realCourier/world';
import { expectCourierAddedOnlyReceived, expectSrs0Of } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';

const sink = useSink();
const { srsDomain, secretsFile } = readInstalledPolicy();

describe('backup MX: Courier relays the domain for anyone', () => {
  e2eTest('external MTA → backup-MX domain: relayed with its own envelope sender, byte for byte', async () => {
    const token = newToken('backup-mx');
    const sent = buildMessage(token, A.externalSender, A.backupMxRecipient);
    const log = markMailLog();

    expect((await sendMail({ from: A.externalSender, to: [A.backupMxRecipient] }, sent)).code).toBe(250);

    const copy = await sink().waitForOne(carrying(token));
    expect(copy.mailFrom).toBe(A.externalSender);
    expect(copy.rcptTo).toEqual([A.backupMxRecipient]);
    expectCourierAddedOnlyReceived(copy.raw, sent);
    await waitUntil('the filter to log rule=backup-mx-relay', () => (log.linesSince().includes('rule=backup-mx-relay') ? true : undefined));
  });

  e2eTest('an alias of ours whose target is in the backup-MX domain is still a forward: SRS0', async () => {
    const token = newToken('alias-to-backup-mx');
    const sent = buildMessage(token, A.externalSender, A.aliasToBackupMx);

    expect((await sendMail({ from: A.externalSender, to: [A.aliasToBackupMx] }, sent)).code).toBe(250);

    const copy = await sink().waitForOne(carrying(token));
    expect(copy.rcptTo).toEqual([A.aliasToBackupMxTarget]);
    await expectSrs0Of(copy.mailFrom, A.externalSender, srsDomain, secretsFile);
  });
});

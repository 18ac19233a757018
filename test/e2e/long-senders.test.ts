// Long senders through the real Courier with original-envelope auto: the sender is stored in
// the embedded store, the SRS address carries its key and fits in 64 octets, and the bounce
// to it reaches the original sender.
import { randomBytes } from 'node:crypto';
import { readInstalledPolicy, withPolicySettings } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A } from '../../kit/realCourier/world';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';

const sink = useSink();
const { srsDomain } = readInstalledPolicy();
/**
 * An SES-like return path: its stateless SRS0 local part would be 87 octets. Its tail differs
 * per run: the bounce cap counts per SRS address, which is the same all day for one sender,
 * and a filter left running between runs keeps its counts.
 */
const LONG_SENDER = `0100018c7a1b2c3d-4e5f6a7b-8c9d-4e1f-9a3b-4c5d6e7f8a9b-${randomBytes(3).toString('hex')}@sender.test`;

describe('original-envelope: auto', () => {
  e2eTest(
    'a long sender leaves with a stored-key SRS address of at most 64 octets, and its bounce reaches the original sender',
    async () => {
      await withPolicySettings({ 'original-envelope': 'auto' }, async () => {
        const token = newToken('long-sender');
        expect((await sendMail({ from: LONG_SENDER, to: [A.alias] }, buildMessage(token, LONG_SENDER, A.alias))).code).toBe(250);
        const { mailFrom } = await sink().waitForOne(carrying(token));
        const [local = '', domain = ''] = mailFrom.split('@');
        expect(domain).toBe(srsDomain);
        expect(local).toMatch(/^SRS0-[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=1=[0-9A-V]{32}$/);
        expect(Buffer.byteLength(local)).toBeLessThanOrEqual(64);

        const bounceToken = newToken('long-sender-bounce');
        const reply = await sendMail({ from: '', to: [mailFrom] }, buildMessage(bounceToken, 'mailer-daemon@remote.test', mailFrom));
        expect(reply.code).toBe(250);
        const returned = await sink().waitForOne(carrying(bounceToken));
        expect(returned.mailFrom).toBe('');
        expect(returned.rcptTo).toEqual([LONG_SENDER]);

        const shortToken = newToken('short-sender');
        expect((await sendMail({ from: A.externalSender, to: [A.alias] }, buildMessage(shortToken, A.externalSender, A.alias))).code).toBe(250);
        expect((await sink().waitForOne(carrying(shortToken))).mailFrom).toMatch(/=sender\.test=alice@/);
      });
    },
    90_000,
  );
});

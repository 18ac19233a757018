/**
 * Bounces to our SRS addresses through the compiled filter: what a reversal leaves in Courier's
 * control files, the cap on reversals per address, and srs-bounces keeping them locally.
 */
import { promises as fs } from 'node:fs';
import { createSrs } from '../../../lib/srs';
import { startFilter, stopQuietly, type FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { createSpool, queueMessage, removeSpool, TEST_SECRET, type QueuedMessage, type Spool } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';
import { filterPerSuite } from './harness';

const srs = createSrs({ secrets: [Buffer.from(TEST_SECRET)], separator: '-' });
const template = readFixture('srs-bounce-external-nullsender.ctl').toString();

function srsAddressFor(sender: string): string {
  const forwarded = srs.forward(sender, 'example.org');
  if (!forwarded.ok) throw new Error(forwarded.error.message);
  return forwarded.value;
}

/** The captured bounce control file (test/fixtures/courier) from `sender` to `recipient`. */
async function bounce(spool: Spool, sender: string, recipient: string): Promise<{ before: string; message: QueuedMessage }> {
  const before = template.replace(/^s.*$/m, `s${sender}`).replace(/^rsrsbounce-.*$/m, `r${recipient}`);
  return { before, message: await queueMessage(spool, [before]) };
}

const read = (message: QueuedMessage): Promise<string> => fs.readFile(message.controlFiles[0] as string, 'utf8');
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

async function withFilter(policy: Record<string, unknown>, test: (spool: Spool, filter: FilterProcess) => Promise<void>): Promise<void> {
  const spool = await createSpool({ policy });
  const filter = startFilter(spool);
  try {
    await filter.ready;
    await test(spool, filter);
  } finally {
    await stopQuietly(filter);
    await removeSpool(spool);
  }
}

describe('srs-bounces: reverse (the default)', () => {
  const suite = filterPerSuite();

  test.each(['PostMaster@bank.test', 'MAILER-DAEMON@mx.bank.test'])(
    'a bounce from %s is reversed and leaves with the null sender',
    async (sender) => {
      const { before, message } = await bounce(suite.spool, sender, srsAddressFor('carol@sender.test'));
      expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
      expect(await read(message)).toBe(before.replace(/^s.*$/m, 's').replace(/^r.*$/m, 'rcarol@sender.test'));
      await suite.filter.waitForLog(new RegExp(`code=SRS_REVERSE .*from=<${escape(sender)}> .*to=<carol@sender\\.test> rcpts=1 rule=srs-bounce `));
    },
  );

  test('the 11th reversal to one SRS address is refused 550 5.7.1, however it is spelt and across a reload', async () => {
    const address = srsAddressFor('dave@sender.test');
    const [local = '', domain = ''] = address.split('@');
    const spellings = [address, `srsbounce-${address}`, `${local.toLowerCase()}@${domain.toUpperCase()}`, `SRS0+${local.slice(5)}@${domain}`];
    for (let i = 0; i < 10; i++) {
      if (i === 5) {
        suite.filter.child.kill('SIGHUP');
        await suite.filter.waitForLog(/^INFO: reloaded: /);
      }
      const { message } = await bounce(suite.spool, '', spellings[i % spellings.length] as string);
      expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
      expect(await read(message)).toMatch(/^rdave@sender\.test$/m);
    }

    const over = `srsbounce-${local.toUpperCase()}@${domain}`;
    const { before, message } = await bounce(suite.spool, 'postmaster@bank.test', over);
    expect(await submit(suite.filter.socketPath, message)).toBe(
      `550 5.7.1 <${over}>: too many bounces to this SRS address (max-bounces-per-address is 10)\n`,
    );
    expect(await read(message)).toBe(before);
    await suite.filter.waitForLog(new RegExp(`code=SRS_REJECT .*rcpt=<${escape(over)}> error=too-many-bounces rcpts=1 rule=srs-bounce-cap `));

    const other = await bounce(suite.spool, '', srsAddressFor('erin@sender.test'));
    expect(await submit(suite.filter.socketPath, other.message)).toBe('200 Ok\n');
  });

  test('max-bounces-per-address sets the cap', async () => {
    await withFilter({ 'max-bounces-per-address': 2 }, async (cappedSpool, capped) => {
      const address = srsAddressFor('frank@sender.test');
      const replies: string[] = [];
      for (let i = 0; i < 3; i++) replies.push(await submit(capped.socketPath, (await bounce(cappedSpool, '', address)).message));
      expect(replies).toEqual(['200 Ok\n', '200 Ok\n', expect.stringMatching(/^550 5\.7\.1 .*max-bounces-per-address is 2\)\n$/)]);
    });
  });
});

describe('srs-bounces: a mailbox', () => {
  test('a valid bounce is delivered there from <>, its original sender logged; none is capped; an invalid one is refused', async () => {
    await withFilter({ 'srs-bounces': 'postmaster@example.org', 'max-bounces-per-address': 1 }, async (spool, filter) => {
      const address = srsAddressFor('grace@sender.test');
      for (let i = 0; i < 3; i++) {
        const { before, message } = await bounce(spool, 'MAILER-DAEMON@mx.bank.test', `srsbounce-${address}`);
        expect(await submit(filter.socketPath, message)).toBe('200 Ok\n');
        expect(await read(message)).toBe(before.replace(/^s.*$/m, 's').replace(/^r.*$/m, 'rpostmaster@example.org'));
      }
      await filter.waitForLog(
        new RegExp(
          `code=SRS_REVERSE .* to=<postmaster@example\\.org> rcpts=1 rule=srs-bounce-kept ` +
            'reason="a bounce for <grace@sender\\.test> goes to srs-bounces <postmaster@example\\.org> instead"',
        ),
      );

      const forged = address.replace(/^SRS0-..../, (head) => (head === 'SRS0-AAAA' ? 'SRS0-BBBB' : 'SRS0-AAAA'));
      const { before, message } = await bounce(spool, '', forged);
      expect(await submit(filter.socketPath, message)).toMatch(/^550 5\.1\.1 /);
      expect(await read(message)).toBe(before);
    });
  });

  test('a mailbox outside the local domains is named in a warning when the filter starts', async () => {
    await withFilter({ 'srs-bounces': 'abuse@elsewhere.test' }, async (_spool, filter) => {
      await filter.waitForLog('WARN: srs-bounces abuse@elsewhere.test is not in a local domain');
    });
  });
});

/**
 * The compiled filter, started like courierfilter starts it, deciding control files a real
 * Courier wrote over its socket: what Courier sees and what ends up in its queue.
 */
import { promises as fs } from 'node:fs';
import { createSrs } from '../../../lib/srs';
import { startFilter, stopQuietly } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { queueMessage, TEST_SECRET, type QueuedMessage } from '../../../kit/spool';
import { sendRaw, submit } from '../../../kit/submitClient';
import { filterPerSuite } from './harness';

const TEMPFAIL = '451 4.3.0 srsfilter: temporary failure, try again later\n';
/** What the default policy (separator '-') emits for alice@sender.test. */
const ALICE_SRS0 = /^SRS0-[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\.test=alice@example\.org$/;
const srs = createSrs({ secrets: [Buffer.from(TEST_SECRET)], separator: '-' });

const suite = filterPerSuite();
const forwarded = readFixture('single-alias-to-remote.ctl').toString();

const lines = (text: string): string[] => text.split('\n');
const withSender = (ctl: string, sender: string): string => ctl.replace(/^s.*$/m, `s${sender}`);
const read = (file: string | undefined): Promise<string> => fs.readFile(file as string, 'utf8');

describe('rewrite', () => {
  test('a forwarded message gets an SRS0 sender of srs-domain; every other byte stays', async () => {
    const data = readFixture('single-alias-to-remote.data');
    const message = await queueMessage(suite.spool, [forwarded], data);
    expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
    const after = lines(await read(message.controlFiles[0]));
    const sender = (after[0] as string).slice(1);
    expect(sender).toMatch(ALICE_SRS0);
    expect(srs.reverse(sender)).toEqual({ ok: true, value: 'alice@sender.test' });
    expect(after.slice(1)).toEqual(lines(forwarded).slice(1));
    expect(await fs.readFile(message.dataFile)).toEqual(data);
  });

  test('a multi-member alias with a local and a remote member: one rewrite serves both', async () => {
    const multi = readFixture('multi-alias.ctl').toString();
    const message = await queueMessage(suite.spool, [multi]);
    expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
    const after = lines(await read(message.controlFiles[0]));
    expect(after[0]?.slice(1)).toMatch(ALICE_SRS0);
    expect(after.slice(1)).toEqual(lines(multi).slice(1));
  });

  test('logs one decision line with the queue id', async () => {
    const message = await queueMessage(suite.spool, [forwarded]);
    await submit(suite.filter.socketPath, message);
    const sender = lines(await read(message.controlFiles[0]))[0]?.slice(1);
    const line = await suite.filter.waitForLog(`to=<${sender}>`);
    const qid = '0000000000164054\\.000000006B072786\\.000046B0';
    expect(line).toMatch(
      new RegExp(
        `^INFO: code=SRS_REWRITE qid=${qid} from=<alice@sender\\.test> rcpt=<someone@remote\\.test> to=<SRS0-\\S+> ` +
          'rcpts=1 rule=forwarded-alias reason="[^"]+" ms=\\d+\\.\\d\\d$',
      ),
    );
  });

  test('the sender is rewritten in every control file of the message', async () => {
    const twoRemote = readFixture('two-remote-alias.ctl').toString();
    const message = await queueMessage(suite.spool, [forwarded, twoRemote, forwarded]);
    expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
    const senders = await Promise.all(message.controlFiles.map(async (file) => lines(await read(file))[0]));
    expect(senders[0]?.slice(1)).toMatch(ALICE_SRS0);
    expect(new Set(senders).size).toBe(1);
    expect(lines(await read(message.controlFiles[1])).slice(1)).toEqual(lines(twoRemote).slice(1));
  });

  test('50 concurrent messages are all answered and all rewritten', async () => {
    const messages = await Promise.all(Array.from({ length: 50 }, () => queueMessage(suite.spool, [forwarded])));
    const replies = await Promise.all(messages.map((message) => submit(suite.filter.socketPath, message)));
    expect(replies).toEqual(Array(50).fill('200 Ok\n'));
    for (const message of messages) expect(lines(await read(message.controlFiles[0]))[0]?.slice(1)).toMatch(ALICE_SRS0);
  });
});

describe('pass', () => {
  test.each([
    ['a local sender', withSender(forwarded, 'bob@example.org'), 'local-sender'],
    ['the null sender', withSender(forwarded, ''), 'null-sender'],
    ['a message for local recipients only', 'local-only.ctl', 'only-local-recipients'],
  ])('%s: 200 Ok and the control file is untouched', async (_name, content, rule) => {
    const bytes = content.endsWith('.ctl') ? readFixture(content) : Buffer.from(content);
    const message = await queueMessage(suite.spool, [bytes]);
    expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
    expect(await fs.readFile(message.controlFiles[0] as string)).toEqual(bytes);
    await suite.filter.waitForLog(new RegExp(`code=SRS_PASS .* rule=${rule} `));
  });
});

describe('bounces to our SRS addresses', () => {
  const bounceTo = async (recipient: string): Promise<{ before: string; message: QueuedMessage }> => {
    const template = readFixture('srs-bounce-external-nullsender.ctl').toString();
    const before = template.replace(/^rsrsbounce-.*$/m, `r${recipient}`);
    return { before, message: await queueMessage(suite.spool, [before]) };
  };

  test.each([
    ['SRS0 address', (srsAddress: string) => srsAddress],
    ['bounce-prefix address', (srsAddress: string) => `srsbounce-${srsAddress}`],
  ])('a valid %s is reversed to the original sender in place', async (_name, recipientOf) => {
    const forward = srs.forward('alice@sender.test', 'example.org');
    if (!forward.ok) throw new Error(forward.error.message);
    const { before, message } = await bounceTo(recipientOf(forward.value));
    expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
    const after = await read(message.controlFiles[0]);
    expect(after).toBe(before.replace(/^r.*$/m, 'ralice@sender.test'));
    await suite.filter.waitForLog(/code=SRS_REVERSE .*to=<alice@sender\.test> rcpts=1 rule=srs-bounce /);
  });

  test('a forged hash is refused with 550 5.1.1 and the file is untouched', async () => {
    const forward = srs.forward('mallory@sender.test', 'example.org');
    if (!forward.ok) throw new Error(forward.error.message);
    const hash = forward.value.slice(5, 9);
    const forged = `SRS0-${hash === 'AAAA' ? 'BBBB' : 'AAAA'}${forward.value.slice(9)}`;
    const { before, message } = await bounceTo(forged);
    const reply = await submit(suite.filter.socketPath, message);
    expect(reply).toMatch(new RegExp(`^550 5\\.1\\.1 <${forged.replace(/[+.]/g, '\\$&')}>: .+\\n$`));
    expect(await read(message.controlFiles[0])).toBe(before);
    await suite.filter.waitForLog(/code=SRS_REJECT .* error=bad-hash /);
  });
});

describe('messages that cannot be processed', () => {
  test('a control file that does not exist gets a 4xx and an ERR line', async () => {
    const message = await queueMessage(suite.spool, [forwarded]);
    await fs.rm(message.controlFiles[0] as string);
    expect(await submit(suite.filter.socketPath, message)).toBe(TEMPFAIL);
    await suite.filter.waitForLog(/^ERR: code=SRS_ERROR .* error=not-found .*rule=on-error-tempfail /);
  });

  test('a control file without a sender record gets a 4xx and stays untouched', async () => {
    const broken = forwarded.replace(/^s.*\n/, '');
    const message = await queueMessage(suite.spool, [broken]);
    expect(await submit(suite.filter.socketPath, message)).toBe(TEMPFAIL);
    expect(await read(message.controlFiles[0])).toBe(broken);
    const file = message.controlFiles[0] as string;
    const line = await suite.filter.waitForLog(`code=SRS_ERROR qid=- from=<> error=no-sender rcpts=0 rule=on-error-tempfail reason="${file}: `);
    expect(line).toMatch(/^ERR: /);
  });

  test('a path outside the queue gets a 4xx and the file is not touched', async () => {
    const outside = `${suite.spool.root}/outside.ctl`;
    await fs.writeFile(outside, forwarded);
    const reply = await sendRaw(suite.filter.socketPath, `${suite.spool.queueDir}/1/D1\n${outside}\n\n`);
    expect(reply).toBe("451 4.3.0 srsfilter: bad request: path is outside Courier's queue\n");
    expect(await fs.readFile(outside, 'utf8')).toBe(forwarded);
  });

  test('garbage and silent clients are answered and closed; the filter keeps serving', async () => {
    // A filter of its own: the short timeout would fail slow messages of the other tests.
    const impatient = startFilter(suite.spool, { name: 'srsfilter-impatient', args: ['--connection-timeout-ms', '300'] });
    try {
      await impatient.ready;
      const silent = sendRaw(impatient.socketPath, null);
      const garbage = sendRaw(impatient.socketPath, Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n'));
      const message = await queueMessage(suite.spool, [forwarded]);
      expect(await garbage).toMatch(/^451 4\.3\.0 srsfilter: bad request: /);
      expect(await silent).toBe('451 4.3.0 srsfilter: bad request: timed out waiting for the request\n');
      expect(await submit(impatient.socketPath, message)).toBe('200 Ok\n');
      expect(impatient.child.exitCode).toBeNull();
    } finally {
      await stopQuietly(impatient);
    }
  });
});

describe('with on-error: accept', () => {
  const accepting = filterPerSuite({ policy: { 'on-error': 'accept' } });

  test('a message that cannot be read is accepted unchanged and logged as an error', async () => {
    const message = await queueMessage(accepting.spool, [forwarded]);
    await fs.rm(message.controlFiles[0] as string);
    expect(await submit(accepting.filter.socketPath, message)).toBe('200 Ok\n');
    await accepting.filter.waitForLog(/^ERR: code=SRS_ERROR .* error=not-found .*rule=on-error-accept /);
  });
});

test('log lines stay short enough for courierlogger, even for a huge sender', async () => {
  const huge = `${'a'.repeat(900)}@sender.test`;
  const message = await queueMessage(suite.spool, [withSender(forwarded, huge)]);
  expect(await submit(suite.filter.socketPath, message)).toBe('200 Ok\n');
  await suite.filter.waitForLog(/code=SRS_REWRITE qid=\S+ from=<a{120}\.\.\.>/);
  for (const line of suite.filter.stderr().split('\n')) expect(Buffer.byteLength(line)).toBeLessThan(500);
});

/**
 * Mail Courier accepts for a domain it is a backup MX for (esmtpacceptmailfor and
 * esmtpacceptmailfor.dir) is relayed with its envelope as it came; an alias that forwards to
 * such a domain is still a forward.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startFilter, stopQuietly, type FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { createSpool, queueMessage, removeSpool, type Spool } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';

let spool: Spool;
let filter: FilterProcess;
const aliasToRemote = readFixture('single-alias-to-remote.ctl').toString();
/** The same external MTA's message from `sender`, addressed by the client itself (no R record) to `recipient`. */
const directTo = (sender: string, recipient: string): string =>
  aliasToRemote.replace(/^salice@sender\.test$/m, `s${sender}`).replace(/^rsomeone@remote\.test\nRfwd@example\.org\n/m, `r${recipient}\nR\n`);

beforeAll(async () => {
  // Every local domain forwards: the policy under which any alias target is rewritten.
  spool = await createSpool({ policy: { 'forwarded-domains': [] } });
  await fs.writeFile(path.join(spool.sysconfdir, 'esmtpacceptmailfor'), 'localhost\nmail.example.org\nexample.org\nbackup-mx.test\n');
  await fs.mkdir(path.join(spool.sysconfdir, 'esmtpacceptmailfor.dir'));
  await fs.writeFile(path.join(spool.sysconfdir, 'esmtpacceptmailfor.dir', 'secondary'), '.backup-dir.test\n');
  filter = startFilter(spool);
  await filter.ready;
});

afterAll(async () => {
  await stopQuietly(filter);
  await removeSpool(spool);
});

test.each([
  ['a domain of esmtpacceptmailfor', 'one@sender.test', 'bob@backup-mx.test'],
  ['a subdomain listed in esmtpacceptmailfor.dir', 'two@sender.test', 'carol@mx.backup-dir.test'],
])('for %s: 200 Ok, the control file untouched, rule backup-mx-relay', async (_name, sender, recipient) => {
  const before = directTo(sender, recipient);
  const message = await queueMessage(spool, [before]);
  expect(await submit(filter.socketPath, message)).toBe('200 Ok\n');
  expect(await fs.readFile(message.controlFiles[0] as string, 'utf8')).toBe(before);
  await filter.waitForLog(`code=SRS_PASS qid=0000000000164054.000000006B072786.000046B0 from=<${sender}> rcpts=1 rule=backup-mx-relay `);
});

test('an alias of ours whose target is in a backup-MX domain is still forwarded', async () => {
  const message = await queueMessage(spool, [aliasToRemote.replace('rsomeone@remote.test', 'rdave@backup-mx.test')]);
  expect(await submit(filter.socketPath, message)).toBe('200 Ok\n');
  const sender = (await fs.readFile(message.controlFiles[0] as string, 'utf8')).split('\n')[0];
  expect(sender).toMatch(/^sSRS0-.*=sender\.test=alice@example\.org$/);
});

test('a domain added to esmtpacceptmailfor.dir counts after SIGHUP', async () => {
  await fs.writeFile(path.join(spool.sysconfdir, 'esmtpacceptmailfor.dir', 'added'), 'added.test\n');
  filter.child.kill('SIGHUP');
  await filter.waitForLog(/^INFO: reloaded: /);
  const before = directTo('three@sender.test', 'erin@added.test');
  const message = await queueMessage(spool, [before]);
  expect(await submit(filter.socketPath, message)).toBe('200 Ok\n');
  expect(await fs.readFile(message.controlFiles[0] as string, 'utf8')).toBe(before);
  await filter.waitForLog('from=<three@sender.test> rcpts=1 rule=backup-mx-relay ');
});

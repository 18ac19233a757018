/**
 * Control files the filter cannot trust, in Courier's queue, sent with an honest request:
 * a 4xx (the sending MTA retries), the files left byte for byte as they were, and the filter
 * alive and serving the next message.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { startFilter, stopQuietly, type FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { createSpool, queueMessage, removeSpool, writePolicy, type QueuedMessage, type Spool } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';

const TEMPFAIL = '451 4.3.0 srsfilter: temporary failure, try again later\n';
const CONNECTION_TIMEOUT_MS = 1500;

let spool: Spool;
let filter: FilterProcess;
const forwarded = readFixture('single-alias-to-remote.ctl');
const text = forwarded.toString('utf8');

beforeAll(async () => {
  spool = await createSpool();
  filter = startFilter(spool, { args: ['--connection-timeout-ms', String(CONNECTION_TIMEOUT_MS)] });
  await filter.ready;
});

afterAll(async () => {
  await stopQuietly(filter);
  await removeSpool(spool);
});

async function snapshot(message: QueuedMessage): Promise<Buffer[]> {
  return Promise.all([message.dataFile, ...message.controlFiles].map((file) => fs.readFile(file)));
}

/** Buffer.equals: jest's toEqual walks a Buffer byte by byte, minutes for a few MB. */
async function expectUnchanged(message: QueuedMessage, before: readonly Buffer[]): Promise<void> {
  const after = await snapshot(message);
  expect(after.map((bytes, i) => bytes.equals(before[i] as Buffer))).toEqual(before.map(() => true));
}

async function expectHonestMessageServed(): Promise<void> {
  const message = await queueMessage(spool, [forwarded]);
  expect(await submit(filter.socketPath, message)).toBe('200 Ok\n');
  expect(filter.child.exitCode).toBeNull();
}

/** The sample with raw `bytes` put in right after the first `marker`. */
const withBytes = (marker: string, bytes: number[]): Buffer => {
  const at = forwarded.indexOf(marker) + marker.length;
  return Buffer.concat([forwarded.subarray(0, at), Buffer.from(bytes), forwarded.subarray(at)]);
};

const recipients = (count: number): string =>
  Array.from({ length: count }, (_, i) => `rtarget${i}@remote.test\nRfwd${i}@example.org\nN\n`).join('');

describe('garbage control files get a 4xx and stay byte-identical', () => {
  test.each<[string, () => Buffer]>([
    ['an empty file', () => Buffer.alloc(0)],
    ['a file cut in the middle of a line', () => forwarded.subarray(0, 60)],
    ['a NUL in the sender', () => withBytes('salice', [0])],
    ['no s line', () => Buffer.from(text.replace(/^s.*\n/, ''))],
    ['two s lines', () => Buffer.from(`${text}smallory@evil.test\n`)],
    ['a sender that is not UTF-8', () => withBytes('salice', [0xff, 0xfe])],
    ['a recipient that is not UTF-8', () => withBytes('rsome', [0xc3])],
    ['a 1 MB recipient line', () => Buffer.from(text.replace('rsomeone@', `r${'x'.repeat(1024 * 1024)}@`))],
    ['5 MiB of records', () => Buffer.from(text + `X${'y'.repeat(1023)}\n`.repeat(5 * 1024))],
    ['random bytes', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
  ])('%s', async (_name, content) => {
    const message = await queueMessage(spool, [content()]);
    const before = await snapshot(message);
    expect(await submit(filter.socketPath, message)).toBe(TEMPFAIL);
    await expectUnchanged(message, before);
    await expectHonestMessageServed();
  });

  test('a bad second control file leaves the good first one unrewritten', async () => {
    const message = await queueMessage(spool, [forwarded, forwarded.subarray(0, 60)]);
    const before = await snapshot(message);
    expect(await submit(filter.socketPath, message)).toBe(TEMPFAIL);
    await expectUnchanged(message, before);
  });

  test('a directory where the control file should be', async () => {
    const message = await queueMessage(spool, [forwarded]);
    const path = message.controlFiles[0] as string;
    await fs.rm(path);
    await fs.mkdir(path);
    expect(await submit(filter.socketPath, message)).toBe(TEMPFAIL);
    expect((await fs.stat(path)).isDirectory()).toBe(true);
    await expectHonestMessageServed();
  });
});

describe('requests over the limits get a 451 and a log line, and nothing is rewritten', () => {
  test('1,001 control files in one request', async () => {
    const message = await queueMessage(spool, Array.from({ length: 1001 }, () => forwarded));
    const before = await snapshot(message);
    expect(await submit(filter.socketPath, message)).toBe('451 4.3.0 srsfilter: bad request: more than 1000 control files\n');
    await filter.waitForLog('bad request: too-many-control-files: more than 1000 control files');
    await expectUnchanged(message, before);
    await expectHonestMessageServed();
  });

  test('control files of over 32 MiB together, each under its own 4 MiB limit', async () => {
    const big = Buffer.from(text.replace(/^r.*\nR.*\nN.*\n/m, recipients(80_000)));
    expect(big.length).toBeGreaterThan(3.5 * 1024 * 1024);
    expect(big.length).toBeLessThan(4 * 1024 * 1024);
    const message = await queueMessage(spool, Array.from({ length: 10 }, () => big));
    const before = await snapshot(message);
    expect(await submit(filter.socketPath, message)).toBe(TEMPFAIL);
    await filter.waitForLog(/code=SRS_ERROR .*error=message-too-large rcpts=0 rule=refused /);
    await expectUnchanged(message, before);
    await expectHonestMessageServed();
  }, 30_000);
});

describe('large but valid control files are rewritten whole', () => {
  test('10,000 recipients: accepted, sender rewritten, every recipient line kept', async () => {
    const big = Buffer.from(text.replace(/^r.*\nR.*\nN.*\n/m, recipients(10_000)));
    const message = await queueMessage(spool, [big]);
    expect(await submit(filter.socketPath, message)).toBe('200 Ok\n');
    const after = await fs.readFile(message.controlFiles[0] as string, 'utf8');
    expect(after.split('\n', 1)[0]).toMatch(/^sSRS0[=+-]/);
    expect(after.slice(after.indexOf('\n'))).toBe(big.toString('utf8').slice(big.indexOf('\n')));
  });
});

describe('queue entries that are not plain files', () => {
  // Own filter: a blocked file read would stay blocked for the rest of the process.
  let ownSpool: Spool;
  let own: FilterProcess;
  beforeEach(async () => {
    ownSpool = await createSpool();
    own = startFilter(ownSpool, { args: ['--connection-timeout-ms', String(CONNECTION_TIMEOUT_MS)] });
    await own.ready;
  });
  afterEach(async () => {
    await stopQuietly(own);
    await removeSpool(ownSpool);
  });

  // Without O_NONBLOCK and a regular-file check, a FIFO in the queue would block a libuv
  // worker for good, and four of them would stop every message.
  test('FIFOs as control files get a 4xx and block nothing: the next message is rewritten', async () => {
    const fifos: QueuedMessage[] = [];
    for (let i = 0; i < 5; i++) {
      const message = await queueMessage(ownSpool, [forwarded]);
      await fs.rm(message.controlFiles[0] as string);
      execFileSync('mkfifo', [message.controlFiles[0] as string]);
      fifos.push(message);
    }
    const replies = await Promise.all(fifos.map((message) => submit(own.socketPath, message)));
    expect(replies).toEqual(fifos.map(() => TEMPFAIL));
    const honest = await queueMessage(ownSpool, [forwarded]);
    expect(await submit(own.socketPath, honest)).toBe('200 Ok\n');
  });

  // O_NOFOLLOW covers the last component only: a directory of the path may be a link.
  test('a symlinked directory in the queue does not lead the rewrite outside it', async () => {
    const outside = `${ownSpool.root}/outside`;
    await fs.mkdir(outside);
    await fs.writeFile(`${outside}/ctl`, forwarded);
    await fs.writeFile(`${outside}/D1`, 'Subject: test\n\nbody\n');
    await fs.symlink(outside, `${ownSpool.queueDir}/linked`);
    const message = { dataFile: `${ownSpool.queueDir}/linked/D1`, controlFiles: [`${ownSpool.queueDir}/linked/ctl`] };
    expect(await submit(own.socketPath, message)).toBe(TEMPFAIL);
    expect((await fs.readFile(`${outside}/ctl`)).equals(forwarded)).toBe(true);
    await own.waitForLog(/code=SRS_ERROR .*error=outside-queue .*rule=refused reason=".*linked\/ctl resolves to .*outside\/ctl, outside Courier's queue/);
  });

  test('with on-error accept too: refused, not let through', async () => {
    await stopQuietly(own);
    await writePolicy(ownSpool, { 'on-error': 'accept' });
    own = startFilter(ownSpool, { args: ['--connection-timeout-ms', String(CONNECTION_TIMEOUT_MS)] });
    await own.ready;
    const outside = `${ownSpool.root}/outside`;
    await fs.mkdir(outside);
    await fs.writeFile(`${outside}/ctl`, forwarded);
    await fs.symlink(outside, `${ownSpool.queueDir}/linked`);
    const message = { dataFile: `${ownSpool.queueDir}/linked/D1`, controlFiles: [`${ownSpool.queueDir}/linked/ctl`] };
    expect(await submit(own.socketPath, message)).toBe(TEMPFAIL);
    expect((await fs.readFile(`${outside}/ctl`)).equals(forwarded)).toBe(true);
  });

  // The request's path check is textual: only O_NOFOLLOW keeps a symlink in the queue from
  // redirecting the rewrite to a file outside it.
  test('a symlink to a file outside the queue is not followed', async () => {
    const outside = `${ownSpool.root}/outside.ctl`;
    await fs.writeFile(outside, forwarded);
    const message = await queueMessage(ownSpool, [forwarded]);
    await fs.rm(message.controlFiles[0] as string);
    await fs.symlink(outside, message.controlFiles[0] as string);
    expect(await submit(own.socketPath, message)).toBe(TEMPFAIL);
    expect((await fs.readFile(outside)).equals(forwarded)).toBe(true);
  });
});

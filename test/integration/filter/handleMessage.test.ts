/**
 * One message through the handler with a real runtime and real control files, and a stub of the
 * socket server's WriteGate: what is written, answered and logged when the server answers the
 * connection without the handler (timeout, stop) or a write fails half-way.
 */
import { promises as fs, readFileSync, rmSync } from 'node:fs';
import { types } from 'node:util';
import * as controlFileIo from '../../../lib/courier/queue/controlFileIo';
import { BOUNCE_COUNTER_CAPACITY, createMemoryBounceCounter } from '../../../filter/bounceCounter';
import { createMessageHandler } from '../../../filter/handleMessage';
import { TEMPORARY_FAILURE, type Reply } from '../../../filter/reply';
import { createSrs } from '../../../lib/srs';
import { loadRuntime, type Runtime } from '../../../filter/runtime';
import type { MessageHandler, Preemption, WriteGate } from '../../../filter/writeGate';
import { readFixture } from '../../../kit/repo';
import {
  createSpool,
  queueMessage,
  removeSpool,
  TEST_SECRET,
  writePolicy,
  type QueuedMessage,
  type Spool,
} from '../../../kit/spool';
import { recordingLogger } from './harness';

const forwarded = readFixture('single-alias-to-remote.ctl');
const QID = '0000000000164054\\.000000006B072786\\.000046B0';
const ACCEPT: Reply = { code: 200, lines: ['Ok'] };

let spool: Spool;
let runtime: Runtime;
let handle: MessageHandler;
const log = recordingLogger();

beforeAll(async () => {
  spool = await createSpool();
  await writePolicy(spool, { 'on-error': 'accept', courier: { sysconfdir: spool.sysconfdir, localstatedir: spool.localstatedir } });
  const loaded = await loadRuntime(spool.configPath);
  if (!loaded.ok) throw new Error(loaded.error.join('\n'));
  runtime = loaded.value;
  handle = createMessageHandler(() => runtime, log, createMemoryBounceCounter(BOUNCE_COUNTER_CAPACITY, Date.now));
});

beforeEach(() => {
  log.lines.length = 0;
});

afterAll(async () => {
  await removeSpool(spool);
});

/** The server's side of a connection, as a test scripts it. */
function gateWith(script: { preemptBefore?: Preemption; beforeWrite?: () => void; preemptDuring?: Preemption }): WriteGate {
  let preemption = script.preemptBefore;
  return {
    preemption: () => preemption,
    alone: () => true,
    afterAnswer: (report) => report(),
    write(write) {
      if (preemption !== undefined) return { ran: false };
      script.beforeWrite?.();
      const value = write();
      preemption = script.preemptDuring;
      return { ran: true, value };
    },
  };
}

/** Queues the forwarded fixture and handles it; `controlFile` is its first control file afterwards. */
async function run(gateFor: (message: QueuedMessage) => WriteGate): Promise<{ reply: Reply; controlFile: Buffer }> {
  const message = await queueMessage(spool, [forwarded]);
  const reply = await handle(message, gateFor(message));
  const controlFile = await fs.readFile(message.controlFiles[0] as string).catch(() => Buffer.alloc(0));
  return { reply, controlFile };
}

test('a forwarded message is rewritten and logs rcpt= the forwarding target and rcpts= their count', async () => {
  const { reply, controlFile } = await run(() => gateWith({}));
  expect(reply).toEqual(ACCEPT);
  expect(controlFile.toString()).toMatch(/^sSRS0-/);
  expect(log.lines).toEqual([expect.stringMatching(
    new RegExp(`^INFO: code=SRS_REWRITE qid=${QID} from=<alice@sender\\.test> rcpt=<someone@remote\\.test> to=<SRS0-\\S+@example\\.org> rcpts=1 rule=forwarded-alias `),
  )]);
});

test('answered before the write: nothing is written, and the one line says what the client got', async () => {
  const preemption: Preemption = { code: 'timeout', rule: 'on-error-accept', reason: 'not processed within 50 ms' };
  const { controlFile } = await run(() => gateWith({ preemptBefore: preemption }));
  expect(controlFile).toEqual(forwarded);
  expect(log.lines).toEqual([expect.stringMatching(
    new RegExp(`^ERR: code=SRS_ERROR qid=${QID} from=<alice@sender\\.test> error=timeout rcpts=0 rule=on-error-accept reason="not processed within 50 ms" `),
  )]);
});

test('answered 451 while the write ran: logged as such, never as a rewrite', async () => {
  const preemption: Preemption = { code: 'stopping', rule: 'write-unfinished', reason: 'the filter is stopping; still being written' };
  await run(() => gateWith({ preemptDuring: preemption }));
  expect(log.lines).toEqual([expect.stringMatching(/^ERR: code=SRS_ERROR .* error=stopping rcpts=0 rule=write-unfinished reason="the filter is stopping; still being written" /)]);
});

test('a write that fails after it began gets 451 even with on-error accept', async () => {
  // The file vanishes between the read and the write: the write fails at its first step.
  const { reply } = await run((message) => gateWith({ beforeWrite: () => rmSync(message.controlFiles[0] as string) }));
  expect(reply).toEqual(TEMPORARY_FAILURE);
  expect(log.lines).toEqual([expect.stringMatching(/^ERR: code=SRS_ERROR .* error=not-found rcpts=0 rule=write-failed /)]);
});

test.each([
  [true, 'blocking'],
  [false, 'pooled'],
])('alone=%s: the message waits for the disk %s', async (alone, wait) => {
  const applyRewrite = jest.spyOn(controlFileIo, 'applyRewrite');
  try {
    const { controlFile } = await run(() => ({ ...gateWith({}), alone: () => alone }));
    expect(controlFile.toString()).toMatch(/^sSRS0-/);
    expect(applyRewrite.mock.calls.map((call) => call[2])).toEqual([wait]);
  } finally {
    applyRewrite.mockRestore();
  }
});

describe('alone, with nothing to ask a store, a message is done within the call that hands it over', () => {
  test('a rewrite: answered, written and logged when the call returns', async () => {
    const message = await queueMessage(spool, [forwarded]);
    const reply = handle(message, gateWith({}));
    expect(types.isPromise(reply)).toBe(false);
    expect(reply).toEqual(ACCEPT);
    expect(readFileSync(message.controlFiles[0] as string).toString()).toMatch(/^sSRS0-/);
    expect(log.lines).toEqual([expect.stringMatching(/^INFO: code=SRS_REWRITE /)]);
  });

  test('a reversal: its bounce count taken in memory within the call as well', async () => {
    const counter = createMemoryBounceCounter(BOUNCE_COUNTER_CAPACITY, Date.now);
    const bounce = createSrs({ secrets: [Buffer.from(TEST_SECRET)] }).forward('alice@sender.test', 'example.org');
    if (!bounce.ok) throw new Error(bounce.error.message);
    const bounceFile = readFixture('srs-bounce-external-nullsender.ctl').toString().replace(/^rsrsbounce-.*$/m, `r${bounce.value}`);
    const message = await queueMessage(spool, [bounceFile]);
    const reply = createMessageHandler(() => runtime, log, counter)(message, gateWith({}));
    expect(types.isPromise(reply)).toBe(false);
    expect(counter.size).toBe(1);
    expect(log.lines).toEqual([expect.stringMatching(/^INFO: code=SRS_REVERSE /)]);
  });

  test('with others waiting, the write goes to the thread pool: a promise', async () => {
    const message = await queueMessage(spool, [forwarded]);
    const reply = handle(message, { ...gateWith({}), alone: () => false });
    expect(types.isPromise(reply)).toBe(true);
    expect(await reply).toEqual(ACCEPT);
  });
});

describe('the bounce cap counts a reversal only when it is answered with its decision', () => {
  const forwarded = createSrs({ secrets: [Buffer.from(TEST_SECRET)] }).forward('alice@sender.test', 'example.org');
  if (!forwarded.ok) throw new Error(forwarded.error.message);
  const bounceFile = readFixture('srs-bounce-external-nullsender.ctl').toString().replace(/^rsrsbounce-.*$/m, `r${forwarded.value}`);

  test.each<readonly [string, (message: QueuedMessage) => WriteGate, number]>([
    ['accepted', () => gateWith({}), 1],
    ['answered before the write', () => gateWith({ preemptBefore: { code: 'timeout', rule: 'on-error-accept', reason: 'late' } }), 0],
    ['answered 451 while the write ran', () => gateWith({ preemptDuring: { code: 'stopping', rule: 'write-unfinished', reason: 'stop' } }), 0],
    ['the write failed', (message) => gateWith({ beforeWrite: () => rmSync(message.controlFiles[0] as string) }), 0],
  ])('%s', async (_name, gateFor, kept) => {
    const counter = createMemoryBounceCounter(BOUNCE_COUNTER_CAPACITY, Date.now);
    const message = await queueMessage(spool, [bounceFile]);
    await createMessageHandler(() => runtime, log, counter)(message, gateFor(message));
    expect(log.lines).toEqual([expect.stringMatching(/code=SRS_(REVERSE|ERROR) /)]);
    expect(counter.size).toBe(kept);
  });
});

/**
 * The protocol layer on its own, over a real UNIX socket, with a stub message handler: what
 * any client can do to the filter, independent of the policy.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { OnError } from '../../../lib/config';
import type { Reply } from '../../../filter/reply';
import type { MessagePaths } from '../../../filter/request';
import { startFilterServer, type FilterServer } from '../../../filter/socketServer';
import type { MessageHandler, Preemption, WriteGate } from '../../../filter/writeGate';
import { sendLikeSubmit, sendRaw } from '../../../kit/submitClient';
import { recordingLogger } from './harness';

const log = recordingLogger();

let root: string;
let queueDir: string;
let server: FilterServer | undefined;

beforeEach(async () => {
  log.lines.length = 0;
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'srsfilter-socket-'));
  queueDir = path.join(root, 'tmp');
  await fs.mkdir(queueDir);
});

afterEach(async () => {
  await server?.drain(0);
  server = undefined;
  await fs.rm(root, { recursive: true, force: true });
});

interface StartOptions {
  readonly timeoutMs?: number;
  readonly writeGraceMs?: number;
  readonly maxConcurrent?: number;
  readonly maxConnections?: number;
  /** The policy's on-error; tempfail unless a test needs to tell its answer from a forced 451. */
  readonly onError?: OnError;
}

async function start(handle: MessageHandler, options: StartOptions = {}) {
  server = await startFilterServer({
    socketDir: root,
    name: 'srsfilter',
    queueDir: () => queueDir,
    handle,
    onError: () => options.onError ?? 'tempfail',
    limits: {
      connectionTimeoutMs: options.timeoutMs ?? 5_000,
      writeGraceMs: options.writeGraceMs ?? 5_000,
      maxConcurrent: options.maxConcurrent ?? 8,
      maxConnections: options.maxConnections ?? 100,
      maxLineBytes: 4096,
      maxRequestBytes: 16_384,
      maxControlFiles: 20,
    },
    log,
  });
  return server;
}

const ok: MessageHandler = async () => ({ code: 200, lines: ['Ok'] });

/** A write the handler waits for: the gate hands back the promise `write` returns. */
async function writeThrough(gate: WriteGate, write: () => Promise<unknown>): Promise<void> {
  const started = gate.write(write);
  if (started.ran) await started.value;
}
const request = (...files: string[]) => `${files.map((f) => path.join(queueDir, f)).join('\n')}\n\n`;

test('the socket is renamed into place with mode 0660 and no dot file is left', async () => {
  const { socketPath } = await start(ok);
  const stat = await fs.stat(socketPath);
  expect(stat.isSocket()).toBe(true);
  expect(stat.mode & 0o777).toBe(0o660);
  await expect(fs.stat(path.join(root, '.srsfilter'))).rejects.toThrow();
});

test('a stale socket file is replaced', async () => {
  await fs.writeFile(path.join(root, 'srsfilter'), 'stale');
  await fs.writeFile(path.join(root, '.srsfilter'), 'stale');
  const { socketPath } = await start(ok);
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe('200 Ok\n');
});

test('the handler gets the data file and every control file, in order', async () => {
  const seen: MessagePaths[] = [];
  const { socketPath } = await start(async (paths) => {
    seen.push(paths);
    return { code: 200, lines: ['Ok'] };
  });
  expect(await sendRaw(socketPath, request('7/D9', '7/a', '7/b'))).toBe('200 Ok\n');
  expect(seen).toEqual([
    { dataFile: path.join(queueDir, '7/D9'), controlFiles: [path.join(queueDir, '7/a'), path.join(queueDir, '7/b')] },
  ]);
});

test('a control file named more than once is handed over once, and counts once toward the limit', async () => {
  const seen: MessagePaths[] = [];
  const { socketPath } = await start(async (paths) => {
    seen.push(paths);
    return { code: 200, lines: ['Ok'] };
  });
  const controlFiles = Array.from({ length: 100 }, (_, i) => `7/c${i % 2}`);
  expect(await sendRaw(socketPath, request('7/D9', ...controlFiles))).toBe('200 Ok\n');
  expect(seen).toEqual([{ dataFile: path.join(queueDir, '7/D9'), controlFiles: [path.join(queueDir, '7/c0'), path.join(queueDir, '7/c1')] }]);
});

test('a request split across many writes is read whole', async () => {
  const { socketPath } = await start(ok);
  const reply = new Promise<string>((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    const bytes = request('1/D1', '1/ctl');
    let i = 0;
    const drip = setInterval(() => {
      socket.write(bytes.slice(i, i + 3));
      i += 3;
      if (i >= bytes.length) clearInterval(drip);
    }, 1);
  });
  expect(await reply).toBe('200 Ok\n');
});

test('a multi-line reply uses NNN- continuation lines', async () => {
  const { socketPath } = await start(async () => ({ code: 550, lines: ['5.1.1 one', '5.1.1 two'] }));
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe('550-5.1.1 one\n550 5.1.1 two\n');
});

test('control characters in reply text cannot forge a reply line', async () => {
  const { socketPath } = await start(async () => ({ code: 550, lines: ['5.1.1 <a\r\n250 ok>'] }));
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe('550 5.1.1 <a??250 ok>\n');
});

describe.each([
  ['relative path', 'var/tmp/1/D1\n', 'path is not absolute'],
  ['path outside the queue', '/etc/passwd\n/etc/shadow\n\n', "path is outside Courier's queue"],
  ['path with ..', () => `${queueDir}/../../etc/passwd\n`, 'path is not normalised'],
  ['binary garbage', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x0a]), 'control character in path'],
  ['a CR before the newline', () => `${queueDir}/1/D1\r\n`, 'control character in path'],
  ['invalid UTF-8', () => Buffer.concat([Buffer.from(`${queueDir}/`), Buffer.from([0xff, 0x0a])]), 'path is not UTF-8'],
  ['an empty request', '\n', 'empty request'],
  ['no control file', () => `${queueDir}/1/D1\n\n`, 'no control file path'],
  ['an overlong line', () => `/${'x'.repeat(5000)}`, 'line longer than 4096 bytes'],
  ['an overlong request', () => `${queueDir}/1/D1\n`.repeat(2000), 'request longer than 16384 bytes'],
  ['too many control files', () => request('1/D1', ...Array.from({ length: 21 }, (_, i) => `1/c${i}`)), 'more than 20 control files'],
])('a bad request (%s)', (_name, payload, reason) => {
  test('gets a 451 at once and the handler never runs', async () => {
    const handle = jest.fn(ok);
    const { socketPath } = await start(handle);
    const bytes = typeof payload === 'function' ? payload() : payload;
    const reply = await sendRaw(socketPath, bytes);
    expect(reply).toBe(`451 4.3.0 srsfilter: bad request: ${reason}\n`);
    expect(handle).not.toHaveBeenCalled();
  });
});

test('a client that ends before the empty line gets a 451', async () => {
  const { socketPath } = await start(ok);
  const reply = await sendRaw(socketPath, `${queueDir}/1/D1\n${queueDir}/1/ctl\n`, { endAfterWrite: true });
  expect(reply).toBe('451 4.3.0 srsfilter: bad request: request ended before the empty line\n');
});

test('a client that half-closes after a complete request still gets the reply', async () => {
  const { socketPath } = await start(ok);
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'), { endAfterWrite: true })).toBe('200 Ok\n');
});

test('a silent client is answered and closed at the timeout; the next client is served', async () => {
  const { socketPath } = await start(ok, { timeoutMs: 200 });
  const silentReply = sendRaw(socketPath, null);
  const halfReply = sendRaw(socketPath, `${queueDir}/1/D1\n`);
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe('200 Ok\n');
  expect(await silentReply).toBe('451 4.3.0 srsfilter: bad request: timed out waiting for the request\n');
  expect(await halfReply).toBe('451 4.3.0 srsfilter: bad request: timed out waiting for the request\n');
});

test('a handler that throws gets the failure reply', async () => {
  const { socketPath } = await start(async () => {
    throw new Error('bug');
  });
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe(
    '451 4.3.0 srsfilter: temporary failure, try again later\n',
  );
});

test('a handler that hangs gets the failure reply at the timeout, exactly once', async () => {
  let finish: (reply: Reply) => void = () => undefined;
  const { socketPath } = await start(() => new Promise((resolve) => (finish = resolve)), { timeoutMs: 200 });
  const reply = await sendRaw(socketPath, request('1/D1', '1/ctl'));
  finish({ code: 200, lines: ['Ok'] });
  expect(reply).toBe('451 4.3.0 srsfilter: temporary failure, try again later\n');
});

test('no more than maxConcurrent messages run at once; the rest wait and are all answered', async () => {
  let running = 0;
  let most = 0;
  const { socketPath } = await start(
    async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      return { code: 200, lines: ['Ok'] };
    },
    { maxConcurrent: 3 },
  );
  const replies = await Promise.all(
    Array.from({ length: 30 }, (_, i) => sendRaw(socketPath, request(`${i}/D1`, `${i}/ctl`))),
  );
  expect(replies).toEqual(Array(30).fill('200 Ok\n'));
  expect(most).toBe(3);
});

test('past maxConnections a connection is closed at once, logged once; those open are answered, and later ones again', async () => {
  let release = (): void => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const { socketPath } = await start(
    async () => {
      await held;
      return { code: 200, lines: ['Ok'] };
    },
    { maxConnections: 5 },
  );
  const open = Array.from({ length: 5 }, (_, i) => sendRaw(socketPath, request(`${i}/D1`, `${i}/ctl`)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Closed before it reads the request: writing may fail (EPIPE), and no answer comes.
  const refused = await Promise.all(Array.from({ length: 20 }, (_, i) => sendLikeSubmit(socketPath, request(`r${i}/D1`, `r${i}/ctl`))));
  expect(refused).toEqual(Array(20).fill(''));
  expect(log.lines).toEqual([
    'ERR: connection refused: 5 connections are open, the most allowed; submit answers 432 and the sender retries (0 more refused since the last such line)',
  ]);
  release();
  expect(await Promise.all(open)).toEqual(Array(5).fill('200 Ok\n'));
  expect(await sendRaw(socketPath, request('9/D1', '9/ctl'))).toBe('200 Ok\n');
});

test('a handler learns whether any other connection is waiting for an answer', async () => {
  const alone: boolean[] = [];
  let firstStarted = (): void => {};
  const firstRunning = new Promise<void>((resolve) => (firstStarted = resolve));
  let releaseFirst = (): void => {};
  const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
  const { socketPath } = await start(async (_paths, gate) => {
    alone.push(gate.alone());
    if (alone.length === 1) {
      firstStarted();
      await firstHeld;
    }
    return { code: 200, lines: ['Ok'] };
  });
  const first = sendRaw(socketPath, request('1/D1', '1/ctl'));
  await firstRunning;
  expect(await sendRaw(socketPath, request('2/D2', '2/ctl'))).toBe('200 Ok\n');
  releaseFirst();
  expect(await first).toBe('200 Ok\n');
  expect(await sendRaw(socketPath, request('3/D3', '3/ctl'))).toBe('200 Ok\n');
  expect(alone).toEqual([true, false, true]);
});

test('a report the handler leaves for after the answer runs once, after it; at once when already answered', async () => {
  const events: string[] = [];
  const { socketPath } = await start(
    async (paths, gate) => {
      const name = path.basename(paths.dataFile);
      gate.afterAnswer(() => events.push(`report ${name}`));
      // D2 outlives the 100 ms timeout: the server answers first, so its report runs at once.
      await new Promise((resolve) => setTimeout(resolve, name === 'D2' ? 300 : 50));
      events.push(`returned ${name}`);
      gate.afterAnswer(() => events.push(`late report ${name}`));
      return { code: 200, lines: ['Ok'] };
    },
    { timeoutMs: 100 },
  );
  expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe('200 Ok\n');
  expect(events).toEqual(['returned D1', 'report D1', 'late report D1']);
  events.length = 0;
  expect(await sendRaw(socketPath, request('2/D2', '2/ctl'))).toBe('451 4.3.0 srsfilter: temporary failure, try again later\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(events).toEqual(['report D2', 'returned D2', 'late report D2']);
});

test('drain answers the messages in flight, then removes the socket', async () => {
  const { socketPath } = await start(async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { code: 200, lines: ['Ok'] };
  });
  const inFlight = Array.from({ length: 5 }, (_, i) => sendRaw(socketPath, request(`${i}/D1`, `${i}/ctl`)));
  await new Promise((resolve) => setTimeout(resolve, 30));
  const drained = server!.drain(5_000);
  server = undefined;
  expect(await Promise.all(inFlight)).toEqual(Array(5).fill('200 Ok\n'));
  expect(await drained).toEqual({ unfinished: 0 });
  await expect(fs.stat(socketPath)).rejects.toThrow();
});

test('drain gives up at its deadline and answers what is left with the failure reply', async () => {
  const { socketPath } = await start(() => new Promise<Reply>(() => undefined));
  const stuck = sendRaw(socketPath, request('1/D1', '1/ctl'));
  await new Promise((resolve) => setTimeout(resolve, 30));
  const drained = await server!.drain(100);
  server = undefined;
  expect(drained).toEqual({ unfinished: 1 });
  expect(await stuck).toBe('451 4.3.0 srsfilter: temporary failure, try again later\n');
});

test('drain leaves a socket alone that another filter instance has put in place', async () => {
  const { socketPath } = await start(ok);
  await fs.rm(socketPath);
  await fs.writeFile(socketPath, 'someone else');
  await server!.drain(100);
  server = undefined;
  expect(await fs.readFile(socketPath, 'utf8')).toBe('someone else');
});

describe('an answer without the handler (timeout, stop) never races a control-file write', () => {
  const ACCEPT: Reply = { code: 200, lines: ['Ok'] };
  /** What the handler replies after its write: tells its answer from the on-error 200 Ok. */
  const REWRITTEN: Reply = { code: 200, lines: ['rewritten'] };
  const TEMPFAIL = '451 4.3.0 srsfilter: temporary failure, try again later\n';
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A promise and its resolve, for steps the test lets happen. */
  function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
    let resolve: (value: T) => void = () => undefined;
    const promise = new Promise<T>((done) => (resolve = done));
    return { promise, resolve };
  }

  test('a timeout before the write: the on-error answer at once, and the handler may no longer write', async () => {
    const events: string[] = [];
    const handled = deferred<Preemption | undefined>();
    const { socketPath } = await start(
      async (_paths, gate) => {
        await sleep(150);
        const write = gate.write(() => events.push('wrote'));
        events.push(write.ran ? 'write ran' : 'write refused');
        handled.resolve(gate.preemption());
        return REWRITTEN;
      },
      { timeoutMs: 50, onError: 'accept' },
    );
    events.push(`client got ${await sendRaw(socketPath, request('1/D1', '1/ctl'))}`);
    const preemption = await handled.promise;
    expect(events).toEqual(['client got 200 Ok\n', 'write refused']);
    expect(preemption).toEqual({ code: 'timeout', rule: 'on-error-accept', reason: 'not processed within 50 ms' });
    expect(log.lines).toEqual([`ERR: ${path.join(queueDir, '1/ctl')}: not processed within 50 ms: answered 200`]);
  });

  test('a timeout during the write: the answer waits for it, and is the handler\'s', async () => {
    const events: string[] = [];
    const { socketPath } = await start(
      async (_paths, gate) => {
        await writeThrough(gate, async () => {
          events.push('write begins');
          await sleep(400);
          events.push('write done');
        });
        return REWRITTEN;
      },
      // The write begins within a few ms: well before the timeout, which fires in the middle of it.
      { timeoutMs: 200, onError: 'accept' },
    );
    events.push(`client got ${await sendRaw(socketPath, request('1/D1', '1/ctl'))}`);
    expect(events).toEqual(['write begins', 'write done', 'client got 200 rewritten\n']);
    expect(log.lines).toEqual([]);
  });

  test('a write still running after the grace time: 451 whatever on-error says, and the handler learns it', async () => {
    const release = deferred();
    const handled = deferred<Preemption | undefined>();
    const { socketPath } = await start(
      async (_paths, gate) => {
        await writeThrough(gate, () => release.promise);
        handled.resolve(gate.preemption());
        return REWRITTEN;
      },
      { timeoutMs: 200, writeGraceMs: 50, onError: 'accept' },
    );
    expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe(TEMPFAIL);
    release.resolve();
    expect(await handled.promise).toMatchObject({ code: 'timeout', rule: 'write-unfinished' });
    expect(log.lines).toEqual([
      `ERR: ${path.join(queueDir, '1/ctl')}: not processed within 200 ms; the control files were still being written 50 ms later: answered 451`,
    ]);
  });

  test('a stop during the write: drain waits for it and resolves only once the handler has answered', async () => {
    const events: string[] = [];
    const writing = deferred();
    const { socketPath } = await start(async (_paths, gate) => {
      await writeThrough(gate, async () => {
        writing.resolve();
        await sleep(100);
        events.push('write done');
      });
      events.push('handler replies');
      return REWRITTEN;
    });
    const reply = sendRaw(socketPath, request('1/D1', '1/ctl'));
    await writing.promise;
    const drained = server!.drain(0);
    server = undefined;
    expect(await drained).toEqual({ unfinished: 1 });
    events.push('drained');
    expect(events).toEqual(['write done', 'handler replies', 'drained']);
    expect(await reply).toBe('200 rewritten\n');
  });

  test('a stop before the write: the on-error answer, and the handler may no longer write', async () => {
    const reading = deferred();
    const handled = deferred<{ ran: boolean; preemption: Preemption | undefined }>();
    const { socketPath } = await start(
      async (_paths, gate) => {
        reading.resolve();
        await sleep(100);
        const write = gate.write(() => undefined);
        handled.resolve({ ran: write.ran, preemption: gate.preemption() });
        return REWRITTEN;
      },
      { onError: 'accept' },
    );
    const reply = sendRaw(socketPath, request('1/D1', '1/ctl'));
    await reading.promise;
    await server!.drain(0);
    server = undefined;
    expect(await reply).toBe('200 Ok\n');
    expect(await handled.promise).toEqual({
      ran: false,
      preemption: { code: 'stopping', rule: 'on-error-accept', reason: 'the filter is stopping' },
    });
  });

  test('a handler that throws after its write began gets 451, not the on-error 200', async () => {
    const { socketPath } = await start(
      async (_paths, gate) => {
        await writeThrough(gate, async () => {
          throw new Error('bug while writing');
        });
        return REWRITTEN;
      },
      { onError: 'accept' },
    );
    expect(await sendRaw(socketPath, request('1/D1', '1/ctl'))).toBe(TEMPFAIL);
  });
});

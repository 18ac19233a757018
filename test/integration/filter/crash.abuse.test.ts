/**
 * kill -9 in the middle of a load run. What Courier sees afterwards: the socket file stays, so
 * submit cannot connect and answers 432 (the sending MTA retries) until the filter is started
 * again. No message is ever accepted unrewritten, and no control file is left half-written.
 */
import { promises as fs } from 'node:fs';
import { startFilter, stopQuietly, type FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { createSpool, queueMessage, removeSpool, type QueuedMessage, type Spool } from '../../../kit/spool';
import { formatRequest, sendLikeSubmit, submit } from '../../../kit/submitClient';

const MESSAGES = 600;
const CONNECTIONS = 20;
const KILL_AFTER_REPLIES = 150;

/** A connect refused after the kill, or reset by it while waiting in the backlog: submit says 432. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET']);

type Outcome = 'accepted' | 'no reply' | 'refused' | string;

let spool: Spool;
let filter: FilterProcess | undefined;
const forwarded = readFixture('single-alias-to-remote.ctl');

afterEach(async () => {
  await stopQuietly(filter);
  filter = undefined;
  await removeSpool(spool);
});

async function connectionRefused(socketPath: string): Promise<boolean> {
  return sendLikeSubmit(socketPath, '\n').then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );
}

/** Sends every message over CONNECTIONS connections and SIGKILLs the filter after some replies. */
async function loadAndKill(running: FilterProcess, messages: readonly QueuedMessage[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  let replies = 0;
  const connection = async (): Promise<void> => {
    while (next < messages.length) {
      const seq = next++;
      const reply = await sendLikeSubmit(running.socketPath, formatRequest(messages[seq] as QueuedMessage)).catch(
        (error: NodeJS.ErrnoException) => (CONNECT_FAILURES.has(error.code ?? '') ? null : Promise.reject(error)),
      );
      outcomes[seq] = reply === null ? 'refused' : reply === '' ? 'no reply' : reply === '200 Ok\n' ? 'accepted' : reply;
      if (reply !== null && ++replies === KILL_AFTER_REPLIES) running.child.kill('SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  return outcomes;
}

/** The file is the original, or the original with only its first line rewritten to SRS0. */
async function controlFileState(message: QueuedMessage): Promise<'original' | 'rewritten' | 'torn'> {
  const bytes = await fs.readFile(message.controlFiles[0] as string);
  if (bytes.equals(forwarded)) return 'original';
  const rest = (buffer: Buffer): Buffer => buffer.subarray(buffer.indexOf(0x0a));
  return /^sSRS0[=+-]/.test(bytes.toString('utf8')) && rest(bytes).equals(rest(forwarded)) ? 'rewritten' : 'torn';
}

describe.each([['tempfail'], ['accept']])('kill -9 under load, on-error: %s', (onError) => {
  test('accepted means rewritten, nothing torn, the socket stays (submit: 432), a restart answers everything', async () => {
    spool = await createSpool({ policy: { 'on-error': onError } });
    const first = startFilter(spool);
    filter = first;
    await first.ready;
    const messages: QueuedMessage[] = [];
    for (let i = 0; i < MESSAGES; i++) messages.push(await queueMessage(spool, [forwarded]));

    const outcomes = await loadAndKill(first, messages);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const states = await Promise.all(messages.map(controlFileState));
    expect(states.filter((state) => state === 'torn')).toEqual([]);
    const acceptedUnrewritten = outcomes.filter((outcome, i) => outcome === 'accepted' && states[i] !== 'rewritten');
    expect(acceptedUnrewritten).toEqual([]);
    expect(outcomes.filter((o) => !['accepted', 'no reply', 'refused'].includes(o))).toEqual([]);
    expect(outcomes.filter((o) => o === 'accepted').length).toBeGreaterThanOrEqual(KILL_AFTER_REPLIES - CONNECTIONS);
    expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThan(0);

    // A killed process cannot remove its socket, whatever on-error says: Courier answers 432.
    expect((await fs.stat(first.socketPath)).isSocket()).toBe(true);
    expect(await connectionRefused(first.socketPath)).toBe(true);

    const restarted = startFilter(spool);
    filter = restarted;
    await restarted.ready;
    // The sending MTAs retry what was not accepted; Courier queues each retry afresh.
    const retried = outcomes.filter((o) => o !== 'accepted').length;
    const retries: QueuedMessage[] = [];
    for (let i = 0; i < retried; i++) retries.push(await queueMessage(spool, [forwarded]));
    const replies = await Promise.all(retries.map((message) => submit(restarted.socketPath, message, { timeoutMs: 30_000 })));
    expect(replies.filter((reply) => reply !== '200 Ok\n')).toEqual([]);
    expect((await Promise.all(retries.map(controlFileState))).every((state) => state === 'rewritten')).toBe(true);
  }, 60_000);
});

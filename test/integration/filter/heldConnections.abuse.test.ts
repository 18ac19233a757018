/**
 * Clients that hold connections open must not starve honest ones, and every connection gets
 * exactly one answer, even those still open when the filter stops.
 */
import net from 'node:net';
import { readFixture } from '../../../kit/repo';
import { queueMessage } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';
import { spoolPerTest } from './harness';

const each = spoolPerTest();

test('300 silent connections do not hold up honest messages; at the stop each gets one answer', async () => {
  const running = each.start({
    args: ['--connection-timeout-ms', '60000', '--max-concurrent', '4', '--drain-timeout-ms', '200'],
  });
  await running.ready;
  const silent = await Promise.all(Array.from({ length: 300 }, () => openSilently(running.socketPath)));

  const forwarded = readFixture('single-alias-to-remote.ctl');
  const messages = await Promise.all(Array.from({ length: 20 }, () => queueMessage(each.spool, [forwarded])));
  const replies = await Promise.all(messages.map((message) => submit(running.socketPath, message)));
  expect(replies).toEqual(Array(20).fill('200 Ok\n'));
  expect(silent.filter((client) => client.received() !== '')).toEqual([]);

  running.child.stdin?.end();
  const answers = await Promise.all(silent.map((client) => client.closed));
  expect(new Set(answers)).toEqual(new Set(['451 4.3.0 srsfilter: temporary failure, try again later\n']));
  expect((await running.exited).code).toBe(0);
});

interface SilentClient {
  received(): string;
  /** Everything received, once the filter has closed the connection. */
  readonly closed: Promise<string>;
}

function openSilently(socketPath: string): Promise<SilentClient> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const closed = new Promise<string>((done) => socket.on('close', () => done(text)));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ received: () => text, closed }));
  });
}

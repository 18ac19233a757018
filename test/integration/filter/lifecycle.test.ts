/**
 * The filter's life as courierfilter runs it: start-up checks before the socket exists, the
 * ready signal on fd 3, SIGHUP reloads, and the stop on stdin EOF with messages in flight.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  createSpool,
  FILTER_MAIN,
  formatRequest,
  queueMessage,
  readFixture,
  removeSpool,
  startFilter,
  stopQuietly,
  submit,
  writePolicy,
  type FilterProcess,
  type Spool,
} from './harness';

const forwarded = readFixture('single-alias-to-remote.ctl');

let spool: Spool;
let filter: FilterProcess | undefined;

beforeEach(async () => {
  spool = await createSpool();
});

afterEach(async () => {
  await stopQuietly(filter);
  filter = undefined;
  await removeSpool(spool);
});

async function senderAfterSubmit(running: FilterProcess): Promise<string> {
  const message = await queueMessage(spool, [forwarded]);
  expect(await submit(running.socketPath, message)).toBe('200 Ok\n');
  return (await fs.readFile(message.controlFiles[0] as string, 'utf8')).split('\n')[0] ?? '';
}

describe('start-up', () => {
  test('fd 3 is closed only once the socket is in place, with mode 0660', async () => {
    filter = startFilter(spool);
    expect(await filter.ready).toEqual({ socketExisted: true, socketMode: 0o660 });
    await expect(fs.stat(path.join(spool.socketDir, '.srsfilter'))).rejects.toThrow();
  });

  test('started through an active/ symlink, the socket takes the symlink name', async () => {
    const active = path.join(spool.sysconfdir, 'filters/active/srsfilter-test');
    await fs.mkdir(path.dirname(active), { recursive: true });
    await fs.symlink(FILTER_MAIN, active);
    filter = startFilter(spool, { scriptPath: active, name: 'srsfilter-test' });
    await filter.ready;
    expect((await fs.stat(path.join(spool.socketDir, 'srsfilter-test'))).isSocket()).toBe(true);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
  });

  test('a bad policy stops the start with file:line:column problems and no socket', async () => {
    // Written out so that the lines and columns of the mistakes are known.
    await fs.writeFile(
      spool.configPath,
      `srs-domain: example.org\nsecrets-file: ${spool.secretsPath}\nhash-length: 99\nseperator: '='\n`,
    );
    filter = startFilter(spool);
    const { code } = await filter.exited;
    expect(code).not.toBe(0);
    expect(filter.stderr()).toContain(`ERR: ${spool.configPath}:3:14: hash-length: must be at most 27`);
    expect(filter.stderr()).toMatch(new RegExp(`ERR: ${spool.configPath}:4:1: seperator: unknown key`));
    await expect(filter.ready).rejects.toThrow();
    expect(await fs.readdir(spool.socketDir)).toEqual([]);
  });

  test('a world-readable secrets file is refused', async () => {
    await fs.chmod(spool.secretsPath, 0o644);
    filter = startFilter(spool);
    const { code } = await filter.exited;
    expect(code).not.toBe(0);
    expect(filter.stderr()).toMatch(/^ERR: .*srsfilter\.secret: secrets-file: the secrets file is world-readable/m);
  });

  test('an unknown option is a usage error', async () => {
    filter = startFilter(spool, { args: ['--no-such-option'] });
    expect((await filter.exited).code).toBe(2);
    expect(filter.stderr()).toMatch(/^ERR: usage: srsfilter /m);
  });

  (process.getuid?.() === 0 ? test : test.skip)('as root it refuses to run without --allow-root', async () => {
    filter = startFilter(spool, { withoutAllowRoot: true });
    expect((await filter.exited).code).toBe(1);
    expect(filter.stderr()).toMatch(/^ERR: refusing to run as root/m);
    expect(await fs.readdir(spool.socketDir)).toEqual([]);
  });
});

describe('SIGHUP', () => {
  test('a broken new policy is logged and the old one stays; a good one takes effect', async () => {
    filter = startFilter(spool);
    await filter.ready;
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);

    const broken = `srs-domain: example.org\nsecrets-file: ${spool.secretsPath}\nhash-length: 0\n`;
    await fs.writeFile(spool.configPath, broken);
    filter.child.kill('SIGHUP');
    await filter.waitForLog('ERR: reload failed, the previous configuration stays in force: 1 problem(s)');
    expect(filter.stderr()).toContain(`ERR: ${spool.configPath}:3:14: hash-length: must be at least 1`);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);

    await writePolicy(spool, { separator: '=' });
    filter.child.kill('SIGHUP');
    await filter.waitForLog(/^INFO: reloaded: /);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0=/);
    expect(filter.child.exitCode).toBeNull();
  });
});

describe('stopping', () => {
  test('stdin EOF: messages in flight are all answered, then the socket is removed and the exit is 0', async () => {
    filter = startFilter(spool);
    await filter.ready;
    const running = filter;
    const messages = await Promise.all(Array.from({ length: 10 }, () => queueMessage(spool, [forwarded])));
    // Connected and half-sent before the stop: these are the messages in flight.
    const clients = await Promise.all(messages.map(() => connect(running.socketPath)));
    clients.forEach((client, i) => client.socket.write(`${messages[i]?.dataFile}\n`));
    // The filter accepts connections in order: once a later one is answered, these are accepted.
    await senderAfterSubmit(running);
    running.child.stdin?.end();
    await running.waitForLog(/^INFO: stopping \(stdin closed\)/);
    // While it drains, the socket stays and refuses: submit answers 432 and the sender retries.
    expect((await fs.stat(running.socketPath)).isSocket()).toBe(true);
    await expect(connect(running.socketPath)).rejects.toThrow(/ECONNREFUSED/);
    clients.forEach((client, i) => client.socket.write(formatRequest(messages[i]!).split('\n').slice(1).join('\n')));

    expect(await Promise.all(clients.map((client) => client.reply))).toEqual(Array(10).fill('200 Ok\n'));
    expect(await running.exited).toEqual({ code: 0, signal: null });
    await expect(fs.stat(running.socketPath)).rejects.toThrow();
    for (const message of messages) {
      expect(await fs.readFile(message.controlFiles[0] as string, 'utf8')).toMatch(/^sSRS0-/);
    }
  });

  test('SIGTERM stops the same way', async () => {
    filter = startFilter(spool);
    await filter.ready;
    filter.child.kill('SIGTERM');
    expect(await filter.exited).toEqual({ code: 0, signal: null });
    await expect(fs.stat(filter.socketPath)).rejects.toThrow();
  });
});

function connect(socketPath: string): Promise<{ socket: net.Socket; reply: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let text = '';
    const reply = new Promise<string>((done) => {
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => done(text));
    });
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, reply }));
  });
}

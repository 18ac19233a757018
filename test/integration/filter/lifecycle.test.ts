/**
 * The filter's life as courierfilter runs it: start-up checks before the socket exists, the
 * ready signal on fd 3, SIGHUP reloads, and the stop on stdin EOF with messages in flight.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FilterProcess } from '../../../kit/filterProcess';
import { FILTER_MAIN, readFixture } from '../../../kit/repo';
import { queueMessage, writePolicy } from '../../../kit/spool';
import { formatRequest } from '../../../kit/submitClient';
import { reloadFailureSwitch, senderAfterSubmit as senderOf, spoolPerTest } from './harness';

const forwarded = readFixture('single-alias-to-remote.ctl');
const each = spoolPerTest();

const senderAfterSubmit = (running: FilterProcess): Promise<string> => senderOf(each.spool, running, forwarded);

describe('start-up', () => {
  test('fd 3 is closed only once the socket is in place, with mode 0660', async () => {
    const filter = each.start();
    expect(await filter.ready).toEqual({ socketExisted: true, socketMode: 0o660 });
    await expect(fs.stat(path.join(each.spool.socketDir, '.srsfilter'))).rejects.toThrow();
  });

  test('started through an active/ symlink, the socket takes the symlink name', async () => {
    const active = path.join(each.spool.sysconfdir, 'filters/active/srsfilter-test');
    await fs.mkdir(path.dirname(active), { recursive: true });
    await fs.symlink(FILTER_MAIN, active);
    const filter = each.start({ scriptPath: active, name: 'srsfilter-test' });
    await filter.ready;
    expect((await fs.stat(path.join(each.spool.socketDir, 'srsfilter-test'))).isSocket()).toBe(true);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
  });

  test('a bad policy stops the start with file:line:column problems and no socket', async () => {
    // Written out so that the lines and columns of the mistakes are known.
    await fs.writeFile(
      each.spool.configPath,
      `srs-domain: example.org\nsecrets-file: ${each.spool.secretsPath}\nhash-length: 99\nseperator: '='\n`,
    );
    const filter = each.start();
    const { code } = await filter.exited;
    expect(code).not.toBe(0);
    expect(filter.stderr()).toContain(`ERR: ${each.spool.configPath}:3:14: hash-length: must be at most 27`);
    expect(filter.stderr()).toMatch(new RegExp(`ERR: ${each.spool.configPath}:4:1: seperator: unknown key`));
    await expect(filter.ready).rejects.toThrow();
    expect(await fs.readdir(each.spool.socketDir)).toEqual([]);
  });

  test('a world-readable secrets file is refused', async () => {
    await fs.chmod(each.spool.secretsPath, 0o644);
    const filter = each.start();
    const { code } = await filter.exited;
    expect(code).not.toBe(0);
    expect(filter.stderr()).toMatch(/^ERR: .*srsfilter\.secret: secrets-file: the secrets file is world-readable/m);
  });

  test('an unknown option is a usage error', async () => {
    const filter = each.start({ args: ['--no-such-option'] });
    expect((await filter.exited).code).toBe(2);
    expect(filter.stderr()).toMatch(/^ERR: usage: srsfilter /m);
  });

  (process.getuid?.() === 0 ? test : test.skip)('as root it refuses to run without --allow-root', async () => {
    const filter = each.start({ withoutAllowRoot: true });
    expect((await filter.exited).code).toBe(1);
    expect(filter.stderr()).toMatch(/^ERR: refusing to run as root/m);
    expect(await fs.readdir(each.spool.socketDir)).toEqual([]);
  });
});

describe('SIGHUP', () => {
  test('a broken new policy is logged and the old one stays; a good one takes effect', async () => {
    const filter = each.start();
    await filter.ready;
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);

    const broken = `srs-domain: example.org\nsecrets-file: ${each.spool.secretsPath}\nhash-length: 0\n`;
    await fs.writeFile(each.spool.configPath, broken);
    filter.child.kill('SIGHUP');
    await filter.waitForLog('ERR: reload failed, the previous configuration stays in force: 1 problem(s)');
    expect(filter.stderr()).toContain(`ERR: ${each.spool.configPath}:3:14: hash-length: must be at least 1`);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);

    await writePolicy(each.spool, { separator: '=' });
    filter.child.kill('SIGHUP');
    await filter.waitForLog(/^INFO: reloaded: /);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0=/);
    expect(filter.child.exitCode).toBeNull();
  });

  /** The filter must survive the reload, answer with the old policy, and say so in one line. */
  async function expectReloadFailureKeepsOldPolicy(filter: FilterProcess, cause: RegExp): Promise<void> {
    filter.child.kill('SIGHUP');
    await filter.waitForLog('reload failed, the previous configuration stays in force', 3000);
    expect(filter.stderr()).toMatch(cause);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
    expect(filter.child.exitCode).toBeNull();
    const logged = filter.stderr().split('\n').filter((l) => l.startsWith('ERR:'));
    expect(logged.length).toBeLessThanOrEqual(2);
  }

  test('a policy the YAML reader chokes on (an unquoted * is an alias) keeps the old policy', async () => {
    const filter = each.start();
    await filter.ready;
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
    const text = `srs-domain: example.org\nsecrets-file: ${each.spool.secretsPath}\nseparator: '='\nexclude-senders: [*.partner.test]\n`;
    await fs.writeFile(each.spool.configPath, text);
    await expectReloadFailureKeepsOldPolicy(filter, /alias|exclude-senders/i);
  });

  test('an exception anywhere in the reload keeps the old policy and is logged on one line', async () => {
    const failure = await reloadFailureSwitch(each.spool);
    const filter = each.start({ nodeArgs: failure.nodeArgs });
    await filter.ready;
    await writePolicy(each.spool, { separator: '=' });
    await failure.arm();
    await expectReloadFailureKeepsOldPolicy(filter, /hostname injected failure/);
    const errors = filter.stderr().split('\n').filter((l) => l.startsWith('ERR:'));
    expect(errors).toHaveLength(1);

    await failure.disarm();
    filter.child.kill('SIGHUP');
    await filter.waitForLog(/^INFO: reloaded: /);
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0=/);
  });
});

describe('stopping', () => {
  test('stdin EOF: messages in flight are all answered, then the socket is removed and the exit is 0', async () => {
    const running = each.start();
    await running.ready;
    const messages = await Promise.all(Array.from({ length: 10 }, () => queueMessage(each.spool, [forwarded])));
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
    const filter = each.start();
    await filter.ready;
    filter.child.kill('SIGTERM');
    expect(await filter.exited).toEqual({ code: 0, signal: null });
    await expect(fs.stat(filter.socketPath)).rejects.toThrow();
  });
});

describe('a crash (a bug nothing catches)', () => {
  /**
   * The filter has no such bug to trigger from outside, so the test brings one: a file loaded
   * with node --require before the filter, throwing from a signal listener. The filter's own
   * code is what it runs in production.
   */
  async function startWithInjectedBug(): Promise<FilterProcess> {
    const preload = path.join(each.spool.root, 'throw-on-sigusr2.js');
    await fs.writeFile(preload, "process.on('SIGUSR2', () => { throw new Error('bug injected by the test'); });\n");
    const filter = each.start({ nodeArgs: ['--require', preload] });
    await filter.ready;
    expect(await senderAfterSubmit(filter)).toMatch(/^sSRS0-/);
    filter.child.kill('SIGUSR2');
    expect(await filter.exited).toEqual({ code: 70, signal: null });
    expect(filter.stderr()).toMatch(/^ERR: crashed: Error: bug injected by the test \| at /m);
    return filter;
  }

  test('exit 70 with the error logged; the socket stays, so submit cannot connect and answers 432', async () => {
    const filter = await startWithInjectedBug();
    expect((await fs.stat(filter.socketPath)).isSocket()).toBe(true);
    await expect(connect(filter.socketPath)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('with on-error accept the socket is removed, so mail flows unfiltered', async () => {
    await writePolicy(each.spool, { 'on-error': 'accept' });
    const filter = await startWithInjectedBug();
    await expect(fs.stat(filter.socketPath)).rejects.toThrow(/ENOENT/);
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

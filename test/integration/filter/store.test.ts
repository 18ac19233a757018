/**
 * Stored senders through the compiled filter, with a real redis-server: two filters with one
 * secret and one Redis stand for two MX hosts; Redis dies under load and comes back.
 */
import { describeWithRedis } from '../../support/withOptionalTools';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { localPartOctets } from '../../../lib/srs';
import { startRedisServer, type RedisServer } from '../../../kit/redisServer';
import { startFilter, stopQuietly, type FilterProcess } from '../../../kit/filterProcess';
import { readFixture } from '../../../kit/repo';
import { createSpool, queueMessage, removeSpool, type QueuedMessage, type Spool } from '../../../kit/spool';
import { submit } from '../../../kit/submitClient';
import { filterPerSuite } from './harness';

const LONG = '0100018c7a1b2c3d-4e5f6a7b-8c9d-4e1f-9a3b-4c5d6e7f8a9b-000000@us-east-1.amazonses.com';
const STORED = /^SRS0-[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=1=([0-9A-V]{32})@example\.org$/;
const forwardTemplate = readFixture('single-alias-to-remote.ctl').toString();
const bounceTemplate = readFixture('srs-bounce-external-nullsender.ctl').toString();

const senderOf = async (message: QueuedMessage): Promise<string> =>
  /^s(.*)$/m.exec(await fs.readFile(message.controlFiles[0] as string, 'utf8'))?.[1] ?? '';
const recipientOf = async (message: QueuedMessage): Promise<string> =>
  /^r(.*)$/m.exec(await fs.readFile(message.controlFiles[0] as string, 'utf8'))?.[1] ?? '';

async function forward(spool: Spool, filter: FilterProcess, sender: string): Promise<{ reply: string; sender: string }> {
  const message = await queueMessage(spool, [forwardTemplate.replace(/^s.*$/m, `s${sender}`)]);
  const reply = await submit(filter.socketPath, message);
  return { reply, sender: await senderOf(message) };
}

async function bounce(spool: Spool, filter: FilterProcess, srsAddress: string): Promise<{ reply: string; recipient: string }> {
  const message = await queueMessage(spool, [bounceTemplate.replace(/^rsrsbounce-.*$/m, `r${srsAddress}`)]);
  const reply = await submit(filter.socketPath, message);
  return { reply, recipient: await recipientOf(message) };
}

const redisCli = (redis: RedisServer, ...args: string[]): string =>
  spawnSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).stdout.trim();

describeWithRedis('two MX hosts sharing one Redis (original-envelope: auto)', () => {
  let redis: RedisServer;
  let spools: Spool[];
  let filters: FilterProcess[];

  beforeAll(async () => {
    redis = await startRedisServer();
    const policy = { 'original-envelope': 'auto', 'envelope-database': redis.location, 'max-bounces-per-address': 3 };
    spools = [await createSpool({ policy }), await createSpool({ policy })];
    filters = spools.map((spool) => startFilter(spool));
    await Promise.all(filters.map((filter) => filter.ready));
  });

  afterAll(async () => {
    await Promise.all(filters.map((filter) => stopQuietly(filter)));
    await Promise.all(spools.map((spool) => removeSpool(spool)));
    await redis.stop();
  });

  const host = (index: number): [Spool, FilterProcess] => [spools[index] as Spool, filters[index] as FilterProcess];

  test("a long sender stored by one is reversed by the other; the key and TTL are postsrsd 2's", async () => {
    const forwarded = await forward(...host(0), LONG);
    expect(forwarded.reply).toBe('200 Ok\n');
    const key = STORED.exec(forwarded.sender)?.[1];
    expect(key).toBeDefined();
    expect(localPartOctets(forwarded.sender)).toBeLessThanOrEqual(64);
    expect(redisCli(redis, 'GET', `PostSRSd/${key}@1`)).toBe(LONG);
    const ttl = Number(redisCli(redis, 'TTL', `PostSRSd/${key}@1`));
    expect(ttl).toBeGreaterThan(21 * 86_400 - 10);
    expect(ttl).toBeLessThanOrEqual(21 * 86_400);

    const bounced = await bounce(...host(1), forwarded.sender.toLowerCase());
    expect(bounced).toEqual({ reply: '200 Ok\n', recipient: LONG });
  });

  test('a short sender keeps the stateless form and stores nothing', async () => {
    const before = redisCli(redis, 'DBSIZE');
    const forwarded = await forward(...host(0), 'alice@sender.test');
    expect(forwarded.sender).toMatch(/^SRS0-....=..=sender\.test=alice@example\.org$/);
    expect(redisCli(redis, 'DBSIZE')).toBe(before);
  });

  test('an unknown key is refused 550 5.1.1 unknown alias', async () => {
    const forwarded = await forward(...host(0), `x${LONG}`);
    redisCli(redis, 'DEL', `PostSRSd/${STORED.exec(forwarded.sender)?.[1] ?? ''}@1`);
    const bounced = await bounce(...host(1), forwarded.sender);
    expect(bounced.reply).toMatch(/^550 5\.1\.1 <.*>: unknown alias\n$/);
  });

  test('the bounce cap counts on both hosts together', async () => {
    const forwarded = await forward(...host(0), `capped-${LONG}`);
    const replies: string[] = [];
    for (const index of [0, 1, 0, 1]) replies.push((await bounce(...host(index), forwarded.sender)).reply);
    expect(replies.slice(0, 3)).toEqual(['200 Ok\n', '200 Ok\n', '200 Ok\n']);
    expect(replies[3]).toMatch(/^550 5\.7\.1 /);
  });

  test('Redis killed under load: forwards flow (stateless), reversals answer 4xx until it is back, nothing lost', async () => {
    const WORKERS = 4;
    const ROUNDS = 30;
    // One stored sender per bounce, each bounced once: the bounce cap stays out of the way.
    const stored: string[][] = [];
    for (let worker = 0; worker < WORKERS; worker++) {
      stored.push([]);
      for (let i = 0; i < ROUNDS; i++) stored[worker]?.push((await forward(...host(0), `b${worker}-${i}-${LONG}`)).sender);
    }
    expect(stored.flat().every((sender) => STORED.test(sender))).toBe(true);

    const results: { kind: 'forward' | 'bounce'; reply: string; value: string; expected: string }[] = [];
    let killed = false;
    const load = async (worker: number): Promise<void> => {
      for (let i = 0; i < ROUNDS; i++) {
        if (worker === 0 && i === ROUNDS / 3) {
          await redis.kill();
          killed = true;
        }
        const f = await forward(...host(worker % 2), `w${worker}-${i}-${LONG}`);
        results.push({ kind: 'forward', reply: f.reply, value: f.sender, expected: '' });
        const b = await bounce(...host((worker + 1) % 2), stored[worker]?.[i] ?? '');
        results.push({ kind: 'bounce', reply: b.reply, value: b.recipient, expected: `b${worker}-${i}-${LONG}` });
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, worker) => load(worker)));
    expect(killed).toBe(true);
    for (const result of results) {
      if (result.kind === 'forward') {
        expect(result.reply).toBe('200 Ok\n');
        expect(result.value).toMatch(/^SRS0-/);
      } else if (result.reply === '200 Ok\n') {
        expect(result.value).toBe(result.expected);
      } else {
        expect(result.reply).toMatch(/^451 4\.3\.0 /);
      }
    }
    expect(results.filter((r) => r.kind === 'forward' && !STORED.test(r.value)).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.kind === 'bounce' && r.reply.startsWith('451')).length).toBeGreaterThan(0);
    await filters[0]?.waitForLog(/WARN: sender store: store-/);
    // The store errors are in the filter's stats (shown on reload).
    filters[0]?.child.kill('SIGHUP');
    await filters[0]?.waitForLog(/reloaded: .* store=redis:127\.0\.0\.1:\d+ store-errors=[1-9]/);

    // Back: the retried bounce is reversed (this test's Redis keeps nothing on disk, so the sender is stored again).
    await redis.restart();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = await forward(...host(0), `again-${LONG}`);
    expect(again.sender).toMatch(STORED);
    expect(await bounce(...host(1), again.sender)).toEqual({ reply: '200 Ok\n', recipient: `again-${LONG}` });
    // 240 round trips, a Redis restart and a 1.5 s wait: more than jest's default 5 s on a busy machine.
  }, 30_000);
});

describe('the embedded store (original-envelope: database, envelope-database unset)', () => {
  const suite = filterPerSuite({ policy: { 'original-envelope': 'database' } });

  test("every sender is stored under Courier's localstatedir and reversed from there", async () => {
    const forwarded = await forward(suite.spool, suite.filter, 'alice@sender.test');
    expect(forwarded.sender).toMatch(STORED);
    await expect(fs.stat(`${suite.spool.localstatedir}/srsfilter/senders.lmdb`)).resolves.toBeTruthy();
    expect(await bounce(suite.spool, suite.filter, forwarded.sender)).toEqual({ reply: '200 Ok\n', recipient: 'alice@sender.test' });
  });
});

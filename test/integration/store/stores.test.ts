import { describeWithRedis } from '../../support/withOptionalTools';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { parseStoreLocation } from '../../../lib/config/envelopeDatabase';
import { ok } from '../../../lib/result';
import { boundStore, openStore, StoreError, type SenderStore, type TakeResult } from '../../../lib/store';
import { startRedisServer, type RedisServer } from '../../../kit/redisServer';

const DAY_S = 86_400;
const KEY = 'DCJGDE6N24LCRT41A4T0G1UIF0DTKKQJ@1';

async function connected(store: SenderStore): Promise<SenderStore> {
  for (let i = 0; i < 100; i++) {
    try {
      await store.count();
      return store;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error('store never connected');
}

function redisCli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
}

function locationOf(text: string) {
  const parsed = parseStoreLocation(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

describeWithRedis('the Redis store (a real redis-server)', () => {
  let redis: RedisServer;
  let store: SenderStore;
  beforeAll(async () => {
    redis = await startRedisServer();
    store = await connected(await openStore(locationOf(redis.location)));
  });
  afterAll(async () => {
    await store.close();
    await redis.stop();
  });

  test("writes postsrsd 2's key and value with SETEX max-age-days", async () => {
    await store.put(KEY, 'test@otherdomain.com', 21 * DAY_S);
    expect(redisCli(redis.port, 'GET', `PostSRSd/${KEY}`)).toBe('test@otherdomain.com');
    const ttl = Number(redisCli(redis.port, 'TTL', `PostSRSd/${KEY}`));
    expect(ttl).toBeGreaterThan(21 * DAY_S - 5);
    expect(ttl).toBeLessThanOrEqual(21 * DAY_S);
    expect(await store.get(KEY)).toBe('test@otherdomain.com');
    expect(await store.count()).toBe(1);
  });

  test('reads what postsrsd wrote, and nothing for an unknown key', async () => {
    redisCli(redis.port, 'SETEX', 'PostSRSd/VVVVVVUNVVVVVVS1VVVVVVUIVVVTKKQJ@1', '60', 'bob@example.net');
    expect(await store.get('VVVVVVUNVVVVVVS1VVVVVVUIVVVTKKQJ@1')).toBe('bob@example.net');
    expect(await store.get('00000000000000000000000000000000@1')).toBeNull();
  });

  test('counts bounces for every user of the store, within the limit, all or none', async () => {
    const other = await connected(await openStore(locationOf(redis.location)));
    try {
      expect(await store.take(['a', 'b'], 2, 60_000)).toEqual({ ok: true });
      expect(await other.take(['a'], 2, 60_000)).toEqual({ ok: true });
      expect(await other.take(['b', 'a'], 2, 60_000)).toEqual({ ok: false, error: { key: 'a' } });
      expect(redisCli(redis.port, 'GET', 'srsfilter/bounces/b')).toBe('1');
      await store.giveBack(['a']);
      expect(await other.take(['a'], 2, 60_000)).toEqual({ ok: true });
      expect(Number(redisCli(redis.port, 'PTTL', 'srsfilter/bounces/a'))).toBeGreaterThan(50_000);
      // A count whose window is over is not brought back by giving back.
      redisCli(redis.port, 'DEL', 'srsfilter/bounces/b');
      await store.giveBack(['b']);
      expect(redisCli(redis.port, 'EXISTS', 'srsfilter/bounces/b')).toBe('0');
    } finally {
      await other.close();
    }
  });

  test('fails with a StoreError while Redis is down, and works again once it is back', async () => {
    await redis.kill();
    await expect(store.get(KEY)).rejects.toBeInstanceOf(StoreError);
    // Once the client has seen the connection go, every command fails at once as unavailable.
    const codes: string[] = [];
    for (let i = 0; i < 20 && codes.at(-1) !== 'store-unavailable'; i++) {
      codes.push(await store.get(KEY).then(() => 'answered', (error: StoreError) => error.code));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(codes.at(-1)).toBe('store-unavailable');
    expect(codes).not.toContain('answered');
    await expect(store.put(KEY, 'x@example.org', 60)).rejects.toBeInstanceOf(StoreError);
    await redis.restart();
    await connected(store);
    expect(await store.get(KEY)).toBeNull();
  });
});

describe('the embedded store (LMDB on disk)', () => {
  let dir: string;
  let clock: number;
  const now = (): number => clock;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srsfilter-lmdb-'));
    clock = 1_700_000_000_000;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('two openers (the filter and srsctl) share one file; entries expire after their lifetime', async () => {
    const path = join(dir, 'sub', 'senders.lmdb');
    const first = await openStore({ kind: 'lmdb', path }, now);
    const second = await openStore({ kind: 'lmdb', path }, now);
    try {
      await first.put(KEY, 'test@otherdomain.com', DAY_S);
      expect(await second.get(KEY)).toBe('test@otherdomain.com');
      expect(await second.count()).toBe(1);
      clock += DAY_S * 1000;
      expect(await second.get(KEY)).toBeNull();
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('a sender another writer has just stored is read at once, not from an older snapshot', async () => {
    const path = join(dir, 'senders.lmdb');
    const store = await openStore({ kind: 'lmdb', path }, now);
    // Another process writing the file, here within the same event-loop turn as both reads.
    const writer = open({ path, maxDbs: 2, compression: false });
    try {
      expect(await store.get(KEY)).toBeNull();
      writer.openDB({ name: 'senders' }).putSync(KEY, { v: 'test@otherdomain.com', lt: Math.floor(clock / 1000) + DAY_S });
      expect(await store.get(KEY)).toBe('test@otherdomain.com');
      expect(await store.count()).toBe(1);
    } finally {
      await writer.close();
      await store.close();
    }
  });

  test('a reopened store keeps what was written and sweeps what expired', async () => {
    const path = join(dir, 'senders.lmdb');
    const store = await openStore({ kind: 'lmdb', path }, now);
    await store.put(KEY, 'old@example.org', 60);
    await store.put('VVVVVVUNVVVVVVS1VVVVVVUIVVVTKKQJ@1', 'new@example.org', DAY_S);
    await store.close();
    clock += 120_000;
    const reopened = await openStore({ kind: 'lmdb', path }, now);
    try {
      expect(await reopened.count()).toBe(1);
      expect(await reopened.get('VVVVVVUNVVVVVVS1VVVVVVUIVVVTKKQJ@1')).toBe('new@example.org');
    } finally {
      await reopened.close();
    }
  });

  test('counts bounces across openers, all or none, in a window', async () => {
    const path = join(dir, 'senders.lmdb');
    const first = await openStore({ kind: 'lmdb', path }, now);
    const second = await openStore({ kind: 'lmdb', path }, now);
    try {
      expect(await first.take(['a', 'a'], 2, 60_000)).toEqual({ ok: true });
      expect(await second.take(['b', 'a'], 2, 60_000)).toEqual({ ok: false, error: { key: 'a' } });
      await second.giveBack(['a']);
      expect(await second.take(['b', 'a'], 2, 60_000)).toEqual({ ok: true });
      clock += 60_000;
      expect(await first.take(['a', 'a'], 2, 60_000)).toEqual({ ok: true });
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('a store that cannot be opened is store-unavailable', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(openStore({ kind: 'lmdb', path: join(dir, 'file', 'senders.lmdb') }, now)).rejects.toMatchObject({
      code: 'store-unavailable',
    });
  });
});

describe('boundStore', () => {
  test('a store slower than the bound fails with store-timeout and is counted', async () => {
    const slow: SenderStore = {
      location: 'slow:',
      put: () => new Promise(() => undefined),
      get: () => new Promise(() => undefined),
      count: () => Promise.resolve(0),
      take: () => Promise.resolve(ok()),
      giveBack: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const bounded = boundStore(slow, 50);
    await expect(bounded.get(KEY)).rejects.toMatchObject({ code: 'store-timeout' });
    expect(await bounded.count()).toBe(0);
    expect(bounded.failures()).toMatchObject({ errors: 1, last: { code: 'store-timeout' } });
  });

  test('a bounce count taken after its time is up is given back: its message took no reversal', async () => {
    const givenBack: string[][] = [];
    let answer: (result: TakeResult) => void = () => undefined;
    const late: SenderStore = {
      location: 'late:',
      put: () => Promise.resolve(),
      get: () => Promise.resolve(null),
      count: () => Promise.resolve(0),
      take: () => new Promise((resolve) => (answer = resolve)),
      giveBack: (keys) => {
        givenBack.push([...keys]);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    const bounded = boundStore(late, 20);
    await expect(bounded.take(['k1', 'k2'], 10, 1000)).rejects.toMatchObject({ code: 'store-timeout' });
    answer(ok());
    await new Promise((resolve) => setImmediate(resolve));
    expect(givenBack).toEqual([['k1', 'k2']]);
  });

  test('a bounce count taken in time is not given back by the bound', async () => {
    const givenBack: string[][] = [];
    const quick: SenderStore = {
      location: 'quick:',
      put: () => Promise.resolve(),
      get: () => Promise.resolve(null),
      count: () => Promise.resolve(0),
      take: () => Promise.resolve(ok()),
      giveBack: (keys) => {
        givenBack.push([...keys]);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    await expect(boundStore(quick, 1000).take(['k1'], 10, 1000)).resolves.toEqual({ ok: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(givenBack).toEqual([]);
  });
});

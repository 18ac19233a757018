import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { forwardSender } from '../lib/policy';
import { openStore, type SenderStore } from '../lib/store';
import { createSrs, storedSenderKeyIn, type Srs } from '../lib/srs';
import { startRedisServer } from '../kit/redisServer';
import { readFixture } from '../kit/repo';
import { startFilterUnderTest } from './filterUnderTest';
import { formatReplies, runLoad } from './loadRun';
import type { Figure } from './report';

/**
 * Forward+reverse of long senders (each one's SRS form would pass 64 octets): one op stores
 * the sender and reads it back, as a forwarded message and its bounce do under
 * original-envelope auto. Beside it the stateless core on the same senders. `IN_FLIGHT` ops
 * run at once, as concurrent messages do in the filter.
 */
const ALIAS = 'forwarder.example';
const SENDERS = 2000;
const IN_FLIGHT = 32;
const DURATION_MS = 2000;
const POLICY = { srsDomain: ALIAS, originalEnvelope: 'database', maxAgeDays: 21 } as const;

function longSenders(): string[] {
  return Array.from({ length: SENDERS }, (_, i) => `0100018c7a1b2c3d-4e5f6a7b-8c9d-${i}-000000@us-east-1.amazonses.com`);
}

async function forwardAndReverse(srs: Srs, store: SenderStore, sender: string): Promise<void> {
  const forwarded = forwardSender(sender, srs, POLICY);
  if (!forwarded.ok || forwarded.value.store === undefined) throw new Error(`not stored: ${sender}`);
  await store.put(forwarded.value.store.key, sender, forwarded.value.store.ttlSeconds);
  const reversed = srs.reverse(forwarded.value.address);
  const key = reversed.ok ? storedSenderKeyIn(reversed.value) : null;
  if (key === null || (await store.get(key)) !== sender) throw new Error(`not reversed: ${sender}`);
}

async function measureStore(srs: Srs, store: SenderStore, senders: readonly string[]): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const worker = async (offset: number): Promise<void> => {
    for (let i = offset; performance.now() - start < DURATION_MS; i += IN_FLIGHT) {
      await forwardAndReverse(srs, store, senders[i % senders.length] as string);
      ops += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, offset) => worker(offset)));
  return (ops * 1000) / (performance.now() - start);
}

function measureStateless(srs: Srs, senders: readonly string[]): number {
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    for (const sender of senders) {
      const forwarded = srs.forward(sender, ALIAS);
      if (!forwarded.ok || !srs.reverse(forwarded.value).ok) throw new Error(`lib/srs failed on ${sender}`);
    }
    ops += senders.length;
  }
  return (ops * 1000) / (performance.now() - start);
}

const FILTER_MESSAGES = 3000;
const FILTER_CONNECTIONS = 50;

/**
 * The compiled filter forwarding long senders (a distinct one per message, so every message
 * under auto costs one store write) at 50 connections: its CPU per message and throughput,
 * with the stateless default beside it.
 */
async function filterWithLongSenders(name: string, policy: Readonly<Record<string, unknown>>): Promise<Figure[]> {
  const template = readFixture('single-alias-to-remote.ctl').toString();
  const filter = await startFilterUnderTest(policy);
  try {
    const run = await runLoad({
      socketPath: filter.socketPath,
      filterPid: filter.pid,
      connections: FILTER_CONNECTIONS,
      count: FILTER_MESSAGES,
      messageFor: (seq) => filter.queue(Buffer.from(template.replace(/^s.*$/m, `s${seq}-0100018c7a1b2c3d-4e5f6a7b-8c9d@us-east-1.amazonses.com`))),
      afterReply: (message) => filter.discard(message),
    });
    console.log(`${name}: ${run.messages} messages in ${run.seconds.toFixed(2)} s; replies: ${formatReplies(run.replies)}`);
    return [
      { name: `filter, ${name}: throughput`, value: run.messages / run.seconds, unit: 'msg/s' },
      { name: `filter, ${name}: CPU per message`, value: run.filterCpuMs / run.messages, unit: 'ms' },
    ];
  } finally {
    await filter.close();
  }
}

export async function benchStores(): Promise<Figure[]> {
  const srs = createSrs({ secrets: [Buffer.from('bench-s3cret')] });
  const senders = longSenders();
  const stateless = measureStateless(srs, senders);
  const anchor = { label: 'stateless lib/srs', value: stateless };

  const dir = await mkdtemp(join(tmpdir(), 'srsfilter-bench-lmdb-'));
  const lmdb = await openStore({ kind: 'lmdb', path: join(dir, 'senders.lmdb') });
  const redis = await startRedisServer();
  const redisStore = await openStore({ kind: 'redis', host: '127.0.0.1', port: redis.port });
  try {
    const lmdbOps = await measureStore(srs, lmdb, senders);
    const redisOps = await measureStore(srs, redisStore, senders);
    return [
      { name: 'stateless forward+reverse (long senders)', value: stateless, unit: 'ops/s' },
      { name: `embedded store (LMDB) forward+reverse, ${IN_FLIGHT} in flight`, value: lmdbOps, unit: 'ops/s', anchor },
      { name: `Redis store forward+reverse, ${IN_FLIGHT} in flight`, value: redisOps, unit: 'ops/s', anchor },
      ...(await filterWithLongSenders('embedded (stateless)', {})),
      ...(await filterWithLongSenders('auto, embedded store', { 'original-envelope': 'auto' })),
      ...(await filterWithLongSenders('auto, Redis', { 'original-envelope': 'auto', 'envelope-database': redis.location })),
    ];
  } finally {
    await lmdb.close();
    await redisStore.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchStores().then(
    (figures) => {
      for (const figure of figures) console.log(`${figure.name}: ${figure.value.toFixed(figure.unit === 'ms' ? 3 : 0)} ${figure.unit}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

import { chown, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { formatStoreLocation } from '../config/envelopeDatabase';
import { fail, ok } from '../result';
import { StoreError, type SenderStore, type TakeResult } from './types';

/** postsrsd's sqlite columns: v the sender, lt when it expires (seconds since the epoch). */
interface SenderEntry {
  readonly v: string;
  readonly lt: number;
}

interface BounceEntry {
  readonly count: number;
  /** When the window ends (ms since the epoch). */
  readonly end: number;
}

export interface LmdbStoreOptions {
  readonly path: string;
  readonly now: () => number;
  /** How often expired entries are removed; the first sweep runs on open. */
  readonly sweepEveryMs: number;
}

const SWEEP_BATCH = 10_000;

/**
 * The embedded store: one LMDB file (plus its `-lock` file) that the filter and srsctl open at
 * once. LMDB never corrupts on a crash (copy-on-write pages); commits are synced before a put
 * resolves, so a sender is on disk before the message that carries its key is accepted.
 * Expired entries are invisible at once and removed by a periodic sweep, so the file stays
 * bounded by what max-age-days keeps.
 *
 * Run as root (srsctl), new files take the owner of the directory above them, Courier's
 * localstatedir, so that the filter running as the mail user can write them.
 */
export async function openLmdbStore(options: LmdbStoreOptions): Promise<SenderStore> {
  const { path, now } = options;
  let root: RootDatabase;
  try {
    await ensureDirectory(dirname(path));
    root = open({ path, maxDbs: 2, overlappingSync: false, compression: false });
    if (process.getuid?.() === 0) await chownLikeParent([path, `${path}-lock`]);
  } catch (error) {
    throw new StoreError('store-unavailable', `cannot open the sender store ${path}: ${(error as Error).message}`);
  }
  const senders: Database<SenderEntry, string> = root.openDB({ name: 'senders' });
  const bounces: Database<BounceEntry, string> = root.openDB({ name: 'bounces' });

  const guard = async <T>(what: string, operation: () => T | Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw new StoreError('store-failed', `sender store ${path}: ${what}: ${(error as Error).message}`);
    }
  };

  const sweep = (): Promise<void> =>
    guard('sweep', async () => {
      await removeExpired(root, senders, (entry) => entry.lt * 1000 <= now());
      await removeExpired(root, bounces, (entry) => entry.end <= now());
    });
  const sweeping = setInterval(() => void sweep().catch(() => undefined), options.sweepEveryMs);
  sweeping.unref();
  await sweep().catch(() => undefined);

  return {
    location: formatStoreLocation({ kind: 'lmdb', path }),
    put: (key, sender, ttlSeconds) =>
      guard('write', async () => {
        await senders.put(key, { v: sender, lt: Math.floor(now() / 1000) + ttlSeconds });
      }),
    get: (key) =>
      guard('read', () => {
        // lmdb keeps a read snapshot until its next timer turn; a sender another process (or
        // another handle) has just stored must be seen now.
        senders.resetReadTxn();
        const entry = senders.get(key);
        return entry === undefined || entry.lt * 1000 <= now() || entry.v === '' ? null : entry.v;
      }),
    count: () =>
      guard('count', () => {
        senders.resetReadTxn();
        return senders.getCount();
      }),
    take: (keys, limit, windowMs) =>
      guard('count bounces', () =>
        root.transaction((): TakeResult => {
          const at = now();
          const wanted = new Map<string, number>();
          for (const key of keys) wanted.set(key, (wanted.get(key) ?? 0) + 1);
          const live = (key: string): BounceEntry | undefined => {
            const entry = bounces.get(key);
            return entry !== undefined && entry.end > at ? entry : undefined;
          };
          for (const [key, times] of wanted) {
            if ((live(key)?.count ?? 0) + times > limit) return fail({ key });
          }
          for (const [key, times] of wanted) {
            const entry = live(key) ?? { count: 0, end: at + windowMs };
            void bounces.put(key, { count: entry.count + times, end: entry.end });
          }
          return ok();
        }),
      ),
    giveBack: (keys) =>
      guard('give back bounce counts', async () => {
        await root.transaction(() => {
          for (const key of keys) {
            const entry = bounces.get(key);
            if (entry === undefined) continue;
            if (entry.count <= 1) void bounces.remove(key);
            else void bounces.put(key, { count: entry.count - 1, end: entry.end });
          }
        });
      }),
    async close() {
      clearInterval(sweeping);
      await root.close();
    },
  };
}

/** In batches, each in its own write transaction, so that a large sweep never holds the writer long. */
async function removeExpired<T>(root: RootDatabase, db: Database<T, string>, expired: (entry: T) => boolean): Promise<void> {
  const keys: string[] = [];
  for (const { key, value } of db.getRange()) if (expired(value)) keys.push(key);
  for (let start = 0; start < keys.length; start += SWEEP_BATCH) {
    const batch = keys.slice(start, start + SWEEP_BATCH);
    await root.transaction(() => {
      for (const key of batch) {
        const entry = db.get(key);
        if (entry !== undefined && expired(entry)) void db.remove(key);
      }
    });
  }
}

async function ensureDirectory(directory: string): Promise<void> {
  try {
    await stat(directory);
  } catch {
    await mkdir(directory, { recursive: true, mode: 0o750 });
    if (process.getuid?.() === 0) await chownLikeParent([directory]);
  }
}

async function chownLikeParent(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const parent = await stat(dirname(path));
    await chown(path, parent.uid, parent.gid);
  }
}

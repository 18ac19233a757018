import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyRewrite, findQueueDirectory, parseControlFile } from '../lib/courier/queue';
import { fsyncFile } from './filterUnderTest';
import { percentile } from './report';

/**
 * What this disk allows the filter at best: lib/courier's durable in-place rewrite of one
 * control file (the filter's own write path, no socket, no decision), `concurrency` at a time,
 * each file created and fsynced first as submit leaves it. No filter can beat these figures;
 * the throughput and latency goals are read against them.
 */
export interface DiskCeiling {
  readonly rewritesPerSecond: number;
  /** One rewrite, open to close; ascending percentiles. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const SENDER = 'SRS0=abcd=AB=sender.test=alice@example.org';

export async function measureFsyncCeiling(dir: string, content: Buffer, count: number, concurrency: number): Promise<DiskCeiling> {
  const parsed = parseControlFile(content);
  if (!parsed.ok) throw new Error(`the control file to rewrite does not parse: ${parsed.error.message}`);
  const work = await mkdtemp(path.join(dir, 'fsync-ceiling-'));
  try {
    const files = Array.from({ length: count }, (_, i) => path.join(work, `ctl${i}`));
    for (const file of files) {
      await writeFile(file, content);
      await fsyncFile(file);
    }
    const queue = await findQueueDirectory(work);
    if (!queue.ok) throw new Error(queue.error.message);
    const latenciesMs: number[] = [];
    let next = 0;
    // As the filter waits: on the event loop when one message is in flight, else on the pool.
    const wait = concurrency === 1 ? 'blocking' : 'pooled';
    const rewriteAll = async (): Promise<void> => {
      while (next < files.length) {
        const target = { path: files[next++] as string, file: parsed.value };
        const started = performance.now();
        const result = await applyRewrite([target], { sender: SENDER }, wait, queue.value);
        latenciesMs.push(performance.now() - started);
        if (!result.ok) throw new Error(`${result.error.path}: ${result.error.message}`);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, rewriteAll));
    const seconds = (performance.now() - started) / 1000;
    latenciesMs.sort((a, b) => a - b);
    return { rewritesPerSecond: count / seconds, p50Ms: percentile(latenciesMs, 50), p99Ms: percentile(latenciesMs, 99) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

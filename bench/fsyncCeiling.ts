import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { percentile } from './report';

/**
 * What this disk allows the filter at best: its I/O for one message (open r+, write, truncate,
 * fsync, close) and nothing else, `concurrency` at a time. No filter can beat these figures;
 * the throughput and latency goals are read against them.
 */
export interface DiskCeiling {
  readonly rewritesPerSecond: number;
  /** One rewrite, open to close; ascending percentiles. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function measureFsyncCeiling(dir: string, content: Buffer, count: number, concurrency: number): Promise<DiskCeiling> {
  const work = await mkdtemp(path.join(dir, 'fsync-ceiling-'));
  try {
    const files = Array.from({ length: count }, (_, i) => path.join(work, `ctl${i}`));
    for (const file of files) await writeFile(file, content);
    const latenciesMs: number[] = [];
    let next = 0;
    const rewriteAll = async (): Promise<void> => {
      while (next < files.length) {
        const started = performance.now();
        const handle = await open(files[next++] as string, 'r+');
        await handle.write(content, 0, content.length, 0);
        await handle.truncate(content.length);
        await handle.sync();
        await handle.close();
        latenciesMs.push(performance.now() - started);
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

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startFilterUnderTest, type FilterUnderTest } from './filterUnderTest';
import { sampleProcess } from '../kit/procStat';
import { readFixture } from '../kit/repo';
import type { QueuedMessage } from '../kit/spool';
import { requestVerdict } from '../kit/submitClient';
import { median, percentile, printFigures, type Figure } from './report';

/**
 * CPU per message of the filter process at Courier's own pace: a few submit processes at once,
 * a connection per message, each client sending its next message only some milliseconds after
 * the last (Courier spends ~6 ms of SMTP work on each), so the filter is idle between messages
 * and wakes cold for every one. The hot-loop benchmarks (filterLoad) never see that cost.
 * Measured beside a do-nothing Node filter (doNothingFilter) in the same run, rounds
 * alternating which goes first; every message forwarded, so srsfilter rewrites and writes it
 * to disk. Goal: srsfilter at most 1.5x the do-nothing filter's CPU per message. The defaults
 * mirror the lab's cpu.sh: fresh processes, 100 messages of warm-up, then 3 rounds of 300, a
 * window in which V8 is still optimizing the message path (bench/README.md).
 */
export interface CourierPaceOptions {
  /** Messages per round and filter. */
  readonly messages: number;
  readonly rounds: number;
  /** Messages each filter gets before the first round. */
  readonly warmup: number;
  /** Clients sending at once, like concurrent submit processes. */
  readonly clients: number;
  /** Each client starts a message this long after its previous one started. */
  readonly intervalMs: number;
}

export const DEFAULT_COURIER_PACE: CourierPaceOptions = { messages: 300, rounds: 3, warmup: 100, clients: 4, intervalMs: 20 };
const GOAL_RATIO = 1.5;

interface PacedFilter {
  readonly name: string;
  readonly pid: number;
  readonly socketPath: string;
  close(): Promise<void>;
}

interface PacedRun {
  readonly cpuMsPerMessage: number;
  readonly latenciesMs: readonly number[];
}

/** The do-nothing filter, started as courierfilter starts one (stdin = stop, fd 3 = ready). */
async function startDoNothing(socketDir: string): Promise<PacedFilter> {
  const socketPath = path.join(socketDir, 'donothing');
  const child = spawn(process.execPath, [path.join(__dirname, 'doNothingFilter.js'), socketPath], {
    cwd: '/usr',
    env: {},
    stdio: ['pipe', 'ignore', 'inherit', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    (child.stdio[3] as Readable).on('data', () => undefined).on('end', resolve);
    child.on('exit', (code) => reject(new Error(`do-nothing filter exited with ${code} before ready`)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('do-nothing filter has no pid');
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    name: 'do-nothing Node filter',
    pid,
    socketPath,
    close: async () => {
      child.stdin?.end();
      await exited;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `messages` sent by `clients` clients, each starting one every `intervalMs` (phases spread
 * evenly); CPU read from /proc around the whole run.
 */
async function runPaced(filter: PacedFilter, messages: readonly QueuedMessage[], options: CourierPaceOptions): Promise<PacedRun> {
  const latenciesMs: number[] = [];
  let next = 0;
  const client = async (index: number): Promise<void> => {
    await sleep((index * options.intervalMs) / options.clients);
    while (next < messages.length) {
      const started = performance.now();
      const verdict = await requestVerdict(filter.socketPath, messages[next++] as QueuedMessage);
      if (!verdict.reply.startsWith('200 ')) throw new Error(`${filter.name} answered ${JSON.stringify(verdict.reply)}`);
      latenciesMs.push(verdict.latencyMs);
      await sleep(Math.max(0, started + options.intervalMs - performance.now()));
    }
  };
  const before = sampleProcess(filter.pid).cpuMs;
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  const cpuMs = sampleProcess(filter.pid).cpuMs - before;
  return { cpuMsPerMessage: cpuMs / messages.length, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

async function queued(filter: FilterUnderTest, control: Buffer, count: number): Promise<QueuedMessage[]> {
  const messages: QueuedMessage[] = [];
  for (let i = 0; i < count; i++) messages.push(await filter.queue(control));
  return messages;
}

export async function benchCourierPace(options: CourierPaceOptions): Promise<Figure[]> {
  const rate = (options.clients * 1000) / options.intervalMs;
  console.log(
    `# CPU per message at Courier's pace: ${options.clients} clients, a connection per message, one every ${options.intervalMs} ms each (${rate} msg/s), ` +
      `${options.rounds} rounds x ${options.messages} forwarded messages after ${options.warmup}, srsfilter beside a do-nothing Node filter`,
  );
  const control = readFixture('single-alias-to-remote.ctl');
  const srsfilter = await startFilterUnderTest();
  const doNothing = await startDoNothing(srsfilter.spool.socketDir).catch(async (error: unknown) => {
    await srsfilter.close();
    throw error;
  });
  const filters: PacedFilter[] = [doNothing, { name: 'srsfilter', pid: srsfilter.pid, socketPath: srsfilter.socketPath, close: () => srsfilter.close() }];
  const cpu = new Map<string, number[]>(filters.map((filter) => [filter.name, []]));
  const latencies: number[] = [];
  try {
    const run = async (filter: PacedFilter, count: number): Promise<PacedRun> => {
      const messages = await queued(srsfilter, control, count);
      const result = await runPaced(filter, messages, options);
      const first = messages[0]?.controlFiles[0];
      if (filter.pid === srsfilter.pid && first !== undefined && !(await readFile(first, 'utf8')).startsWith('sSRS0')) {
        console.log('  WARNING: srsfilter did not rewrite the sender');
      }
      for (const message of messages) await srsfilter.discard(message);
      return result;
    };
    for (const filter of filters) await run(filter, options.warmup);
    for (let round = 0; round < options.rounds; round++) {
      for (const filter of round % 2 === 0 ? filters : [...filters].reverse()) {
        const result = await run(filter, options.messages);
        cpu.get(filter.name)?.push(result.cpuMsPerMessage);
        if (filter.pid === srsfilter.pid) latencies.push(...result.latenciesMs);
        console.log(`  round ${round + 1}, ${filter.name}: ${result.cpuMsPerMessage.toFixed(3)} ms CPU per message`);
      }
    }
  } finally {
    await doNothing.close();
    await srsfilter.close();
  }
  const floor = median(cpu.get(doNothing.name) ?? []);
  const figures: Figure[] = [
    { name: "Courier's pace: do-nothing Node filter CPU per message", value: floor, unit: 'ms' },
    {
      name: "Courier's pace: srsfilter CPU per message",
      value: median(cpu.get('srsfilter') ?? []),
      unit: 'ms',
      anchor: { label: 'do-nothing Node filter', value: floor },
      goal: { below: GOAL_RATIO * floor },
    },
    { name: "Courier's pace: srsfilter p50 latency", value: percentile(latencies.sort((a, b) => a - b), 50), unit: 'ms' },
  ];
  printFigures(figures);
  return figures;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: String(DEFAULT_COURIER_PACE.messages) },
      rounds: { type: 'string', default: String(DEFAULT_COURIER_PACE.rounds) },
      warmup: { type: 'string', default: String(DEFAULT_COURIER_PACE.warmup) },
      clients: { type: 'string', default: String(DEFAULT_COURIER_PACE.clients) },
      'interval-ms': { type: 'string', default: String(DEFAULT_COURIER_PACE.intervalMs) },
    },
  });
  benchCourierPace({
    messages: Number(values.messages),
    rounds: Number(values.rounds),
    warmup: Number(values.warmup),
    clients: Number(values.clients),
    intervalMs: Number(values['interval-ms']),
  }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

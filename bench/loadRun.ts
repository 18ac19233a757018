import { sampleProcess } from '../kit/procStat';
import type { QueuedMessage } from '../kit/spool';
import { requestVerdict } from '../kit/submitClient';

/** What one load run measured, from the client's side and from the filter's /proc entry. */
export interface LoadRun {
  readonly messages: number;
  readonly seconds: number;
  /** Connect → final reply line, ascending. */
  readonly latenciesMs: readonly number[];
  /** Reply count per first reply line, e.g. { '200 Ok': 5000 }. */
  readonly replies: ReadonlyMap<string, number>;
  /** CPU the filter process spent during the run (all its threads). */
  readonly filterCpuMs: number;
  /** Paced runs: messages that started late because `connections` were all busy. */
  readonly delayed: number;
}

export interface LoadOptions {
  readonly socketPath: string;
  readonly filterPid: number;
  /** Connections in flight at most, like concurrent submit processes. */
  readonly connections: number;
  readonly count: number;
  /**
   * Unset: closed loop, every connection sends its next message as soon as it has a reply
   * (the most the filter can take). Set: open loop, messages start at this many per second
   * whatever the replies do, as SMTP clients arrive (latency at a given load).
   */
  readonly ratePerSecond?: number;
  /** The message to send as number `seq` (0-based). */
  readonly messageFor: (seq: number) => QueuedMessage | Promise<QueuedMessage>;
  /** Called after its reply, e.g. to delete the message's files. */
  readonly afterReply?: (message: QueuedMessage, seq: number) => void | Promise<void>;
  /** Called after every `every` messages (in completion order), e.g. to sample memory. */
  readonly checkpoint?: { readonly every: number; readonly run: (done: number) => void };
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const latenciesMs: number[] = [];
  const replies = new Map<string, number>();
  let done = 0;

  async function sendOne(seq: number): Promise<void> {
    const message = await options.messageFor(seq);
    const verdict = await requestVerdict(options.socketPath, message);
    latenciesMs.push(verdict.latencyMs);
    const firstLine = verdict.reply.split('\n', 1)[0] ?? '';
    replies.set(firstLine, (replies.get(firstLine) ?? 0) + 1);
    await options.afterReply?.(message, seq);
    done++;
    if (options.checkpoint !== undefined && done % options.checkpoint.every === 0) options.checkpoint.run(done);
  }

  const cpuBefore = sampleProcess(options.filterPid).cpuMs;
  const started = process.hrtime.bigint();
  const delayed =
    options.ratePerSecond === undefined
      ? await sendClosedLoop(options, sendOne)
      : await sendPaced(options, options.ratePerSecond, sendOne);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const filterCpuMs = sampleProcess(options.filterPid).cpuMs - cpuBefore;
  latenciesMs.sort((a, b) => a - b);
  return { messages: options.count, seconds, latenciesMs, replies, filterCpuMs, delayed };
}

async function sendClosedLoop(options: LoadOptions, sendOne: (seq: number) => Promise<void>): Promise<number> {
  let next = 0;
  const connection = async (): Promise<void> => {
    while (next < options.count) await sendOne(next++);
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  return 0;
}

/** Starts message n at n/rate seconds (checked every timer tick), never more than `connections` at once. */
function sendPaced(options: LoadOptions, rate: number, sendOne: (seq: number) => Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let launched = 0;
    let inFlight = 0;
    let finished = 0;
    let delayed = 0;
    // Messages below this were due while every connection was busy: they start late.
    let blockedUntil = 0;
    const tick = (): void => {
      const due = Math.min(options.count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      while (launched < due && inFlight < options.connections) {
        if (launched < blockedUntil) delayed++;
        inFlight++;
        sendOne(launched++).then(() => {
          inFlight--;
          if (++finished === options.count) resolve(delayed);
        }, reject);
      }
      if (launched < due) blockedUntil = due;
      if (launched < options.count) setTimeout(tick, 1);
    };
    tick();
  });
}

/** "200 Ok x5000" — one entry per distinct first reply line. */
export function formatReplies(replies: ReadonlyMap<string, number>): string {
  return [...replies].map(([line, count]) => `${line} x${count}`).join(', ');
}

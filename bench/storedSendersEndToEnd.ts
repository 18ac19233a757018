import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { filterPid } from '../kit/realCourier/courier';
import { policyWith } from '../kit/realCourier/policy';
import type { Delivery } from '../kit/realCourier/sink';
import { ADDRESSES, POLICY_FILE, SRSCTL } from '../kit/realCourier/world';
import { sampleProcess } from '../kit/procStat';
import { median, printFigures, type Figure } from './report';

/**
 * The filter's CPU per message and Courier's accept rate, through the real Courier, for
 * `embedded` (the installed policy) with an ordinary sender beside `original-envelope: auto`
 * with long senders, each distinct, so that every one is written to the embedded store. Same
 * run, rounds alternating which side goes first; `srsctl reload` switches the running filter
 * between the two policies (same process, so its CPU counter goes on), and the installed
 * policy is put back and reloaded afterwards.
 *
 * CPU is the filter process's user + system time over all its threads (/proc/PID/stat), summed
 * over every round of a side and divided by its messages: one message costs a few clock ticks
 * at most, so per-round figures would be mostly rounding.
 */
export interface StoredSendersRun {
  readonly messages: number;
  readonly rounds: number;
}

export interface StoredSendersDriver {
  /** Sends `messages` messages tagged `tag` in their subject, each from `fromFor(seq)`; resolves with msg/s. */
  send(tag: string, fromFor: (seq: number) => string): Promise<number>;
  /** The copies at the sink whose subject carries `tag`, once `copies` have arrived; null without a sink. */
  readonly delivered: ((tag: string, copies: number) => Promise<Delivery[]>) | null;
}

/** RFC 5321 §4.5.3.1.1. */
const MAX_LOCAL_PART = 64;
/** Let a reply's trailing work (log lines, a store commit) land in the round it belongs to. */
const SETTLE_MS = 250;
const AUTO = 'auto';
const EMBEDDED = 'embedded';
type Side = typeof AUTO | typeof EMBEDDED;

/**
 * An SES-like return path, 60 octets before the '@': its stateless SRS0 local part would be
 * well over 64. Distinct per message and per run, so every one is a new store entry. The
 * domain is under .test, which the e2e world routes to the sink.
 */
function longSender(run: string, seq: number): string {
  return `0100018c${run}-${seq.toString(16).padStart(8, '0')}-8c9d-4e1f-9a3b-4c5d6e7f8a9b-000000@us-east-1.amazonses.test`;
}

function reload(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(SRSCTL, ['reload'], (error, stdout, stderr) =>
      error === null && stdout.startsWith('reload applied')
        ? resolve(stdout.split('\n')[0] ?? '')
        : reject(new Error(`srsctl reload: ${stdout}${stderr}${error?.message ?? ''}`)),
    ),
  );
}

async function usePolicy(content: Buffer | string, side: string): Promise<void> {
  writeFileSync(POLICY_FILE, content);
  console.log(`  ${side}: ${await reload()}`);
}

function localPart(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

async function checkDeliveries(driver: StoredSendersDriver, copies: number): Promise<void> {
  if (driver.delivered === null) return;
  const [embedded, auto] = await Promise.all([driver.delivered(`${EMBEDDED}-`, copies), driver.delivered(`${AUTO}-`, copies)]);
  const fits = (d: Delivery): boolean => Buffer.byteLength(localPart(d.mailFrom)) <= MAX_LOCAL_PART;
  const srs0 = embedded.filter((d) => /^SRS0[=+-]/.test(d.mailFrom) && fits(d)).length;
  const keyed = auto.filter((d) => /^SRS0[=+-].*=1=[0-9A-V]{32}@/.test(d.mailFrom) && fits(d)).length;
  console.log(`  deliveries: embedded ${srs0}/${embedded.length} SRS0; auto ${keyed}/${auto.length} with a stored key and a local part <= ${MAX_LOCAL_PART} octets`);
  if (srs0 !== embedded.length || keyed !== auto.length) console.log('  WARNING: the filter did not do what was measured');
}

export async function benchStoredSenders(run: StoredSendersRun, driver: StoredSendersDriver): Promise<Figure[]> {
  console.log(`  then ${EMBEDDED} (${ADDRESSES.externalSender}) vs ${AUTO} (long senders, each stored), filter on, switched by srsctl reload`);
  const pid = filterPid();
  if (pid === undefined) throw new Error('no srsfilter process under courierfilter');
  const original = readFileSync(POLICY_FILE);
  const policies: Record<Side, Buffer | string> = { [EMBEDDED]: original, [AUTO]: policyWith(original, { 'original-envelope': AUTO }) };
  const runId = (Date.now() % 0x1_0000_0000).toString(16).padStart(8, '0');
  const cpuMs: Record<Side, number> = { [EMBEDDED]: 0, [AUTO]: 0 };
  const rates: Record<Side, number[]> = { [EMBEDDED]: [], [AUTO]: [] };
  let current: Side = EMBEDDED;
  let sent = 0;
  try {
    for (let round = 0; round < run.rounds; round++) {
      for (const side of round % 2 === 0 ? [EMBEDDED, AUTO] as const : [AUTO, EMBEDDED] as const) {
        if (side !== current) await usePolicy(policies[side], side);
        current = side;
        if (filterPid() !== pid) throw new Error('the filter process changed: its CPU cannot be compared');
        const before = sampleProcess(pid).cpuMs;
        const first = sent;
        const rate = await driver.send(`${side}-${round}`, side === AUTO ? (seq) => longSender(runId, first + seq) : () => ADDRESSES.externalSender);
        sent += run.messages;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const used = sampleProcess(pid).cpuMs - before;
        cpuMs[side] += used;
        rates[side].push(rate);
        console.log(`  ${side} round ${round + 1}: ${rate.toFixed(1)} msg/s, filter CPU ${(used / run.messages).toFixed(3)} ms/msg`);
      }
    }
  } finally {
    await usePolicy(original, 'restored');
  }
  await checkDeliveries(driver, run.messages * run.rounds).catch((error: unknown) =>
    console.log(`  WARNING: deliveries incomplete: ${String(error).slice(0, 300)}`),
  );
  const perSide = run.messages * run.rounds;
  const roundRatios = rates[AUTO].map((rate, round) => rate / (rates[EMBEDDED][round] as number));
  const embeddedCpu = cpuMs[EMBEDDED] / perSide;
  const embeddedRate = median(rates[EMBEDDED]);
  const figures: Figure[] = [
    { name: 'e2e filter CPU per message, embedded', value: embeddedCpu, unit: 'ms/msg' },
    { name: 'e2e filter CPU per message, auto, long senders stored', value: cpuMs[AUTO] / perSide, unit: 'ms/msg', anchor: { label: 'embedded', value: embeddedCpu } },
    { name: 'e2e Courier rate, embedded', value: embeddedRate, unit: 'msg/s' },
    { name: 'e2e Courier rate, auto, long senders stored', value: median(rates[AUTO]), unit: 'msg/s', anchor: { label: 'embedded', value: embeddedRate } },
    { name: 'e2e rate auto/embedded (median of rounds)', value: median(roundRatios), unit: 'x' },
  ];
  printFigures(figures);
  return figures;
}

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readFixture } from '../kit/repo';
import type { QueuedMessage } from '../kit/spool';
import { withForwardedRecipients } from './controlFiles';
import { startFilterUnderTest, type FilterUnderTest } from './filterUnderTest';
import { measureFsyncCeiling } from './fsyncCeiling';
import { formatReplies, runLoad, type LoadRun } from './loadRun';
import { percentile, printFigures, type Figure } from './report';

/**
 * Throughput and latency of the compiled filter under a load client that behaves like
 * Courier's submit: a fresh control file per message, 1 and 50 connections at once, 1 and 100
 * recipients, the rewrite fsynced before the reply. Goals: >= 5,000 msg/s at 50 connections
 * with p99 < 2 ms; a bare accept round trip well under 0.2 ms.
 */
export interface FilterLoadOptions {
  /** Messages per run with one recipient. */
  readonly messages: number;
  /** Messages per run with 100 recipients. */
  readonly bigMessages: number;
}

type Expect = 'rewrite' | 'pass';

interface Scenario {
  readonly name: string;
  readonly control: Buffer;
  readonly connections: number;
  readonly count: number;
  readonly expect: Expect;
  /** Open loop at this rate (latency under a given load); unset = closed loop (the most it takes). */
  readonly ratePerSecond?: number;
  /** Which goals this run is judged by. */
  readonly goals?: { readonly throughput?: boolean; readonly p50Ms?: number; readonly p99Ms?: number };
}

const GOAL_MSG_PER_S = 5000;
const GOAL_P99_MS = 2;
const GOAL_BARE_ACCEPT_MS = 0.2;
/** Two cores shared by the filter and Courier: the CPU one message may take at the goal rate. */
const CPU_BUDGET_MS = 2000 / GOAL_MSG_PER_S;
const WARMUP_MESSAGES = 500;
/** Several times what Courier alone accepts over SMTP (bench/README.md): a busy day. */
const BUSY_RATE = 1000;

async function prepare(filter: FilterUnderTest, control: Buffer, count: number): Promise<QueuedMessage[]> {
  const messages: QueuedMessage[] = [];
  for (let i = 0; i < count; i++) messages.push(await filter.queue(control));
  return messages;
}

/** A run that answered anything but 2xx, or did not rewrite, measured something else: say so loudly. */
async function checkOutcome(run: LoadRun, sample: QueuedMessage, expect: Expect, original: Buffer): Promise<string[]> {
  const problems: string[] = [];
  const accepted = [...run.replies].filter(([line]) => line.startsWith('2')).reduce((sum, [, n]) => sum + n, 0);
  if (accepted !== run.messages) problems.push(`only ${accepted} of ${run.messages} accepted: ${formatReplies(run.replies)}`);
  const after = await readFile(sample.controlFiles[0] as string);
  if (expect === 'rewrite' && !/^sSRS0[=+-]/.test(after.toString('utf8'))) problems.push('sender was not rewritten to SRS0');
  if (expect === 'pass' && !after.equals(original)) problems.push('a passed message was modified');
  return problems;
}

async function runScenario(filter: FilterUnderTest, scenario: Scenario): Promise<LoadRun> {
  const messages = await prepare(filter, scenario.control, scenario.count);
  const run = await runLoad({
    socketPath: filter.socketPath,
    filterPid: filter.pid,
    connections: scenario.connections,
    count: scenario.count,
    ...(scenario.ratePerSecond === undefined ? {} : { ratePerSecond: scenario.ratePerSecond }),
    messageFor: (seq) => messages[seq] as QueuedMessage,
  });
  const problems = await checkOutcome(run, messages[0] as QueuedMessage, scenario.expect, scenario.control);
  for (const message of messages) await filter.discard(message);
  const pacing = scenario.ratePerSecond === undefined ? 'closed loop' : `paced at ${scenario.ratePerSecond} msg/s, ${run.delayed} started late (all connections busy)`;
  console.log(`${scenario.name}: ${run.messages} messages in ${run.seconds.toFixed(2)} s (${pacing}); replies: ${formatReplies(run.replies)}`);
  for (const problem of problems) console.log(`  WARNING: ${problem}`);
  return run;
}

function figuresOf(scenario: Scenario, run: LoadRun, ceiling: number): Figure[] {
  const goals = scenario.goals ?? {};
  const latency = (label: string, p: number, goalMs: number | undefined): Figure => ({
    name: `${scenario.name}: ${label} latency`,
    value: percentile(run.latenciesMs, p),
    unit: 'ms',
    anchor: { label: 'goal', value: goalMs ?? GOAL_P99_MS },
    ...(goalMs === undefined ? {} : { goal: { below: goalMs } }),
  });
  return [
    {
      name: `${scenario.name}: throughput`,
      value: run.messages / run.seconds,
      unit: 'msg/s',
      anchor: { label: 'disk fsync ceiling', value: ceiling },
      ...(goals.throughput === true ? { goal: { atLeast: GOAL_MSG_PER_S } } : {}),
    },
    latency('p50', 50, goals.p50Ms),
    latency('p99', 99, goals.p99Ms),
    {
      name: `${scenario.name}: filter CPU per message`,
      value: run.filterCpuMs / run.messages,
      unit: 'ms',
      anchor: { label: `2-core budget at ${GOAL_MSG_PER_S} msg/s`, value: CPU_BUDGET_MS },
    },
  ];
}

export async function benchFilterLoad(options: FilterLoadOptions): Promise<Figure[]> {
  const single = await readFixture('single-alias-to-remote.ctl');
  const hundred = withForwardedRecipients(single, 100);
  const local = await readFixture('local-only.ctl');
  const scenarios: Scenario[] = [
    { name: 'rewrite 1 rcpt, 1 conn', control: single, connections: 1, count: options.messages, expect: 'rewrite' },
    {
      name: 'rewrite 1 rcpt, 50 conn',
      control: single,
      connections: 50,
      count: options.messages,
      expect: 'rewrite',
      goals: { throughput: true },
    },
    { name: 'rewrite 100 rcpt, 1 conn', control: hundred, connections: 1, count: options.bigMessages, expect: 'rewrite' },
    { name: 'rewrite 100 rcpt, 50 conn', control: hundred, connections: 50, count: options.bigMessages, expect: 'rewrite' },
    {
      name: `rewrite 1 rcpt, paced ${BUSY_RATE}/s, <=50 conn`,
      control: single,
      connections: 50,
      count: options.messages,
      expect: 'rewrite',
      ratePerSecond: BUSY_RATE,
    },
    {
      name: `rewrite 1 rcpt, paced ${GOAL_MSG_PER_S}/s, <=50 conn`,
      control: single,
      connections: 50,
      count: options.messages,
      expect: 'rewrite',
      ratePerSecond: GOAL_MSG_PER_S,
      goals: { p99Ms: GOAL_P99_MS },
    },
    {
      name: 'bare accept (local mail passed), 1 conn',
      control: local,
      connections: 1,
      count: options.messages,
      expect: 'pass',
      goals: { p50Ms: GOAL_BARE_ACCEPT_MS },
    },
    { name: 'bare accept (local mail passed), 50 conn', control: local, connections: 50, count: options.messages, expect: 'pass' },
  ];

  console.log('# filter throughput and latency (compiled filter, submit-like client, fresh control file per message)');
  console.log('  closed loop at 50 connections keeps 50 requests waiting, so its latency is ~50 / throughput (Little\'s law);');
  console.log('  latency under a given load is measured paced (open loop)');
  const filter = await startFilterUnderTest();
  try {
    const parallel = await measureFsyncCeiling(filter.spool.queueDir, single, options.messages, 50);
    const serial = await measureFsyncCeiling(filter.spool.queueDir, single, Math.min(options.messages, 2000), 1);
    const ceiling = parallel.rewritesPerSecond;
    const diskFigures: Figure[] = [
      {
        name: 'disk alone: durable in-place rewrite, 50 at once (no socket, no decision)',
        value: ceiling,
        unit: 'rewrites/s',
        anchor: { label: 'goal', value: GOAL_MSG_PER_S },
      },
      { name: 'disk alone: one durable rewrite p50', value: serial.p50Ms, unit: 'ms', anchor: { label: 'goal p99', value: GOAL_P99_MS } },
      { name: 'disk alone: one durable rewrite p99', value: serial.p99Ms, unit: 'ms', anchor: { label: 'goal p99', value: GOAL_P99_MS } },
    ];
    printFigures(diskFigures);
    await runLoad({
      socketPath: filter.socketPath,
      filterPid: filter.pid,
      connections: 50,
      count: WARMUP_MESSAGES,
      messageFor: () => filter.queue(single),
      afterReply: (message) => filter.discard(message),
    });
    const figures: Figure[] = [...diskFigures];
    for (const scenario of scenarios) {
      const scenarioFigures = figuresOf(scenario, await runScenario(filter, scenario), ceiling);
      printFigures(scenarioFigures);
      figures.push(...scenarioFigures);
    }
    return figures;
  } finally {
    await filter.close();
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { messages: { type: 'string', default: '5000' }, 'big-messages': { type: 'string', default: '1000' } },
  });
  benchFilterLoad({ messages: Number(values.messages), bigMessages: Number(values['big-messages']) }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

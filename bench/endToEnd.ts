import { existsSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { sampleProcess } from '../kit/procStat';
import { filterPid, startFilter, stopFilter } from '../kit/realCourier/courier';
import { startSink, type Sink } from '../kit/realCourier/sink';
import { ADDRESSES, EXTERNAL_CLIENT, FILTER_NAME, SMTP_HOST, SMTP_PORT } from '../kit/realCourier/world';
import { median, printFigures, type Figure } from './report';
import { sendOneByOne } from './smtpOneByOne';
import { benchStoredSenders } from './storedSendersEndToEnd';

/**
 * Real Courier on this machine: how fast it accepts forwarded messages over SMTP with
 * srsfilter active and with it stopped, in the same run (rounds alternate, so drift of the
 * machine hits both sides alike). The client acts as an external MTA (127.0.0.2, no relay
 * rights) sending to an alias that forwards to an external address, one connection per
 * message, plain SMTP, one command at a time (see smtpOneByOne). Then the same to a local
 * mailbox, which the filter passes: the cost of being a filter at all. Then, filter on, what
 * `original-envelope: auto` costs when every sender is long and so stored
 * (storedSendersEndToEnd). The goal and the reference figures the ratios are read against are
 * in bench/README.md.
 *
 * Needs the e2e suite's Courier (test/e2e/support/courier-env.sh up) with srsfilter installed
 * (install.sh); skipped with a printed line otherwise. Leaves the filter as active or stopped
 * as it found it. Runs the e2e sink for the forwarded copies unless one already listens, and
 * then checks that every copy sent with the filter on left with an SRS0 sender. Not while the
 * e2e suite runs: stopping the filter would fail its tests.
 */
export interface EndToEndOptions {
  readonly messages: number;
  readonly rounds: number;
  readonly connections: number;
  readonly from: string;
  readonly to: string;
}

const FILTER_EXECUTABLE = `/usr/lib/courier/filters/${FILTER_NAME}`;
const ACTIVE_LINK = `/etc/courier/filters/active/${FILTER_NAME}`;
const GOAL_RATIO = 0.93;
/** The reference figures of bench/README.md, as anchors for this run's figures. */
const PYTHON_REWRITER_RATIO = 0.895;
const DO_NOTHING_RATIO = 0.955;
const COURIER_ALONE_LOW = 160;
/** CPU per message of a do-nothing Node filter in the lab (cpu.sh, 4 clients); npm run bench measures its own beside srsfilter. */
const LAB_DO_NOTHING_CPU_MS = 0.4;
const CPU_GOAL_RATIO = 1.5;
const SUBJECT = 'srsfilter bench';
const DELIVERY_TIMEOUT_MS = 120_000;

function smtpListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: SMTP_HOST, port: SMTP_PORT });
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

/**
 * Only the e2e suite's test world (its aliases, its routes to the sink): on any other Courier
 * this would toggle a live filter and send test mail. courier-env.sh up leaves this marker.
 */
const E2E_WORLD_MARKER = `${process.env.E2E_DIR ?? '/tmp/srsfilter-e2e'}/saved/.complete`;

async function missingPrerequisite(): Promise<string | null> {
  if (!existsSync('/usr/sbin/filterctl')) return 'Courier is not installed (no filterctl)';
  if (!existsSync(E2E_WORLD_MARKER)) return `the e2e test world is not up (test/e2e/support/courier-env.sh up; no ${E2E_WORLD_MARKER})`;
  if (!existsSync(FILTER_EXECUTABLE)) return `srsfilter is not installed (no ${FILTER_EXECUTABLE}; run install.sh)`;
  if (!(await smtpListening())) return `nothing listens on ${SMTP_HOST}:${SMTP_PORT} (start Courier's esmtpd)`;
  return null;
}

async function setFilterActive(active: boolean): Promise<void> {
  if (existsSync(ACTIVE_LINK) === active) return;
  if (active) await startFilter();
  else await stopFilter();
}

/**
 * Messages accepted per second: connect, EHLO, MAIL, RCPT, DATA, the 250, QUIT; one connection
 * each. `fromFor` gives each message its own sender (default: options.from for all).
 */
async function sendAll(options: EndToEndOptions, tag: string, fromFor: (seq: number) => string = () => options.from): Promise<number> {
  let next = 0;
  const sendSome = async (): Promise<void> => {
    while (next < options.messages) {
      const seq = next++;
      const from = fromFor(seq);
      await sendOneByOne({
        host: SMTP_HOST,
        port: SMTP_PORT,
        localAddress: EXTERNAL_CLIENT,
        helo: 'bench.test',
        from,
        to: options.to,
        message: `From: ${from}\r\nTo: ${options.to}\r\nSubject: ${SUBJECT} ${tag}-${seq}\r\n\r\nhello\r\n`,
      });
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: options.connections }, sendSome));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return options.messages / seconds;
}

/** Every copy sent with the filter on must leave with an SRS0 sender, every other one unchanged. */
async function checkDeliveries(sink: Sink, perSide: number, from: string): Promise<void> {
  const sentWith = (side: string) => (d: { raw: Buffer }) => d.raw.includes(`${SUBJECT} ${side}-`);
  const [on, off] = await Promise.all([
    sink.waitFor(sentWith('on'), { recipients: perSide, timeoutMs: DELIVERY_TIMEOUT_MS }),
    sink.waitFor(sentWith('off'), { recipients: perSide, timeoutMs: DELIVERY_TIMEOUT_MS }),
  ]);
  const rewritten = on.filter((d) => /^SRS0[=+-]/.test(d.mailFrom)).length;
  const unchanged = off.filter((d) => d.mailFrom === from).length;
  console.log(`  deliveries: filter on ${rewritten}/${on.length} with an SRS0 sender; filter off ${unchanged}/${off.length} unchanged`);
  if (rewritten !== on.length || unchanged !== off.length) console.log('  WARNING: the filter did not do what was measured');
}

interface Rounds {
  readonly withoutFilter: readonly number[];
  readonly withFilter: readonly number[];
  /**
   * CPU of the filter process per message in each round with the filter on. Every such round
   * starts a fresh filter process (filterctl start), so this is the cost of its first messages.
   */
  readonly filterCpuMs: readonly number[];
  /** Each round measures both sides back to back: its ratio is immune to the machine's drift over the run. */
  readonly ratio: number;
}

/** `options.rounds` rounds of `options.messages` to `to`, filter off and on, alternating which goes first. */
async function measureRounds(options: EndToEndOptions, to: string, tag: string): Promise<Rounds> {
  const withoutFilter: number[] = [];
  const withFilter: number[] = [];
  const filterCpuMs: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const active of round % 2 === 0 ? [false, true] : [true, false]) {
      await setFilterActive(active);
      const pid = active ? filterPid() : undefined;
      const cpuBefore = pid === undefined ? 0 : sampleProcess(pid).cpuMs;
      const rate = await sendAll({ ...options, to }, `${tag}${active ? 'on' : 'off'}-${round}`);
      (active ? withFilter : withoutFilter).push(rate);
      let cpu = '';
      if (pid !== undefined) {
        const perMessage = (sampleProcess(pid).cpuMs - cpuBefore) / options.messages;
        filterCpuMs.push(perMessage);
        cpu = `, filter CPU ${perMessage.toFixed(3)} ms per message`;
      }
      console.log(`  ${tag}round ${round + 1}, filter ${active ? 'on ' : 'off'}: ${rate.toFixed(1)} msg/s${cpu}`);
    }
  }
  const roundRatios = withFilter.map((rate, round) => rate / (withoutFilter[round] as number));
  console.log(`  ${tag}ratio per round: ${roundRatios.map((ratio) => ratio.toFixed(3)).join(' ')}`);
  return { withoutFilter, withFilter, filterCpuMs, ratio: median(roundRatios) };
}

export async function benchEndToEnd(options: EndToEndOptions): Promise<Figure[]> {
  console.log(
    `# end to end through real Courier: ${options.rounds} rounds x ${options.messages} messages ${options.from} -> ${options.to}, ${options.connections} connection(s), filter off vs on`,
  );
  const missing = await missingPrerequisite();
  if (missing !== null) {
    console.log(`  SKIPPED: ${missing}`);
    return [];
  }
  const wasActive = existsSync(ACTIVE_LINK);
  const sink = await startSink().catch(() => null);
  if (sink === null) console.log('  a sink already listens on the e2e sink port: deliveries are not checked');
  let forwarded: Rounds;
  let local: Rounds;
  let stored: Figure[];
  try {
    forwarded = await measureRounds(options, options.to, '');
    if (sink !== null) {
      await checkDeliveries(sink, options.messages * options.rounds, options.from).catch((error: unknown) =>
        console.log(`  WARNING: deliveries incomplete: ${String(error).slice(0, 300)}`),
      );
    }
    // Mail to a local mailbox, which srsfilter reads, decides on and passes: what being a
    // filter at all costs here, without the rewrite and its disk write.
    console.log(`  then to a local mailbox (${ADDRESSES.localMailbox}): srsfilter passes it`);
    local = await measureRounds(options, ADDRESSES.localMailbox, 'local ');
    await setFilterActive(true);
    stored = await benchStoredSenders(options, {
      send: (tag, fromFor) => sendAll(options, tag, fromFor),
      delivered: sink === null ? null : (tag, copies) => sink.waitFor((d) => d.raw.includes(`${SUBJECT} ${tag}`), { recipients: copies, timeoutMs: DELIVERY_TIMEOUT_MS }),
    });
  } finally {
    await setFilterActive(wasActive);
    await sink?.close();
  }
  const alone = median(forwarded.withoutFilter);
  const figures: Figure[] = [
    { name: 'e2e Courier without filter', value: alone, unit: 'msg/s', anchor: { label: 'reference low end (160)', value: COURIER_ALONE_LOW } },
    { name: 'e2e Courier with srsfilter', value: median(forwarded.withFilter), unit: 'msg/s', anchor: { label: 'without filter', value: alone } },
    {
      name: 'e2e rate with/without filter (median of rounds)',
      value: forwarded.ratio,
      unit: 'x',
      anchor: { label: 'rewriting filter in Python (0.88-0.91)', value: PYTHON_REWRITER_RATIO },
      goal: { atLeast: GOAL_RATIO },
    },
    {
      name: 'e2e srsfilter CPU per forwarded message (fresh process each round)',
      value: median(forwarded.filterCpuMs),
      unit: 'ms',
      anchor: { label: `lab's do-nothing Node filter (${LAB_DO_NOTHING_CPU_MS})`, value: LAB_DO_NOTHING_CPU_MS },
      goal: { below: CPU_GOAL_RATIO * LAB_DO_NOTHING_CPU_MS },
    },
    {
      name: 'e2e local mail passed, with/without filter',
      value: local.ratio,
      unit: 'x',
      anchor: { label: 'do-nothing Node filter (0.95-0.96)', value: DO_NOTHING_RATIO },
    },
  ];
  printFigures(figures);
  return [...figures, ...stored];
}

export const DEFAULT_END_TO_END: EndToEndOptions = {
  messages: 300,
  rounds: 6,
  connections: 1,
  from: ADDRESSES.externalSender,
  to: ADDRESSES.alias,
};

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: String(DEFAULT_END_TO_END.messages) },
      rounds: { type: 'string', default: String(DEFAULT_END_TO_END.rounds) },
      connections: { type: 'string', default: String(DEFAULT_END_TO_END.connections) },
      from: { type: 'string', default: DEFAULT_END_TO_END.from },
      to: { type: 'string', default: DEFAULT_END_TO_END.to },
    },
  });
  benchEndToEnd({
    messages: Number(values.messages),
    rounds: Number(values.rounds),
    connections: Number(values.connections),
    from: values.from,
    to: values.to,
  }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

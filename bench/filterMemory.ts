import { parseArgs } from 'node:util';
import { readFixture } from '../kit/repo';
import { startFilterUnderTest } from './filterUnderTest';
import { formatReplies, runLoad } from './loadRun';
import { sampleProcess, type ProcessSample } from '../kit/procStat';
import { printFigures, type Figure } from './report';

/**
 * The filter's resident memory after 10k messages and after many more (the goal is stated for
 * 1M; that takes a while, so the count is an argument): growth must stay under 10 %, or the
 * filter leaks per message and courierfilter, which never restarts it, would carry that forever.
 */
export const BASELINE_MESSAGES = 10_000;
const GOAL_GROWTH_PERCENT = 10;
const CONNECTIONS = 50;
const SAMPLES = 10;

const mib = (kib: number): number => kib / 1024;

export async function benchFilterMemory(total: number): Promise<Figure[]> {
  if (total <= BASELINE_MESSAGES) throw new Error(`memory run needs more than ${BASELINE_MESSAGES} messages`);
  console.log(`# filter memory: RSS after ${BASELINE_MESSAGES} and after ${total} rewritten messages (${CONNECTIONS} connections)`);
  const control = await readFixture('single-alias-to-remote.ctl');
  const filter = await startFilterUnderTest();
  try {
    const atStart = sampleProcess(filter.pid);
    let atBaseline: ProcessSample | undefined;
    const every = Math.max(BASELINE_MESSAGES, Math.round(total / SAMPLES));
    const run = await runLoad({
      socketPath: filter.socketPath,
      filterPid: filter.pid,
      connections: CONNECTIONS,
      count: total,
      messageFor: () => filter.queue(control),
      afterReply: (message) => filter.discard(message),
      checkpoint: {
        every: BASELINE_MESSAGES,
        run(done) {
          const sample = sampleProcess(filter.pid);
          if (done === BASELINE_MESSAGES) atBaseline = sample;
          if (done % every === 0 || done === BASELINE_MESSAGES) {
            console.log(`  after ${done} messages: RSS ${mib(sample.rssKiB).toFixed(1)} MiB, ${sample.fds} fds`);
          }
        },
      },
    });
    const atEnd = sampleProcess(filter.pid);
    const baseline = atBaseline ?? atEnd;
    console.log(`  replies: ${formatReplies(run.replies)}; ${(total / run.seconds).toFixed(0)} msg/s including queueing`);
    console.log(`  at start: RSS ${mib(atStart.rssKiB).toFixed(1)} MiB, ${atStart.fds} fds; at end: ${atEnd.fds} fds`);
    const figures: Figure[] = [
      { name: `RSS after ${BASELINE_MESSAGES} messages`, value: mib(baseline.rssKiB), unit: 'MiB', anchor: { label: 'RSS at start', value: mib(atStart.rssKiB) } },
      { name: `RSS after ${total} messages`, value: mib(atEnd.rssKiB), unit: 'MiB', anchor: { label: `RSS after ${BASELINE_MESSAGES}`, value: mib(baseline.rssKiB) } },
      {
        name: `RSS growth ${BASELINE_MESSAGES} -> ${total} messages`,
        value: ((atEnd.rssKiB - baseline.rssKiB) / baseline.rssKiB) * 100,
        unit: '%',
        anchor: { label: 'goal', value: GOAL_GROWTH_PERCENT },
        goal: { below: GOAL_GROWTH_PERCENT },
      },
    ];
    printFigures(figures);
    return figures;
  } finally {
    await filter.close();
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '1000000' } } });
  benchFilterMemory(Number(values.messages)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

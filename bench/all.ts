import { parseArgs } from 'node:util';
import { benchCourierPace, DEFAULT_COURIER_PACE } from './courierPace';
import { DEFAULT_END_TO_END, benchEndToEnd } from './endToEnd';
import { benchFilterLoad } from './filterLoad';
import { BASELINE_MESSAGES, benchFilterMemory } from './filterMemory';
import { formatSummaryTable, type Figure } from './report';
import { benchPipeAliasGlue } from './pipeAliasGlue';
import { benchSrs, formatSrsBench } from './srs';
import { benchStartup } from './startup';
import { benchStores } from './store';

/**
 * `npm run bench`: every benchmark (bench/README.md), then one table of all figures. The memory
 * run goes to 1M messages, as its goal is stated; `--memory-messages 200000` for a quicker run.
 */
const SRS_GOAL_RATIO = 3;

async function srsFigures(): Promise<{ figures: Figure[]; libSrsOpsPerSec: number }> {
  console.log('# SRS core vs Perl Mail::SRS, in-process');
  const result = await benchSrs();
  console.log(formatSrsBench(result));
  const figures: Figure[] = [
    {
      name: 'lib/srs forward+reverse',
      value: result.libSrsOpsPerSec,
      unit: 'ops/s',
      anchor: { label: 'Perl Mail::SRS', value: result.perlOpsPerSec },
      goal: { atLeast: SRS_GOAL_RATIO * result.perlOpsPerSec },
    },
  ];
  return { figures, libSrsOpsPerSec: result.libSrsOpsPerSec };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '5000' },
      'big-messages': { type: 'string', default: '1000' },
      'memory-messages': { type: 'string', default: '1000000' },
      'startup-runs': { type: 'string', default: '15' },
      'glue-runs': { type: 'string', default: '200' },
      'pace-messages': { type: 'string', default: String(DEFAULT_COURIER_PACE.messages) },
      'e2e-messages': { type: 'string', default: String(DEFAULT_END_TO_END.messages) },
    },
  });
  const memoryMessages = Number(values['memory-messages']);
  console.log(`memory run: RSS after ${BASELINE_MESSAGES} and ${memoryMessages} messages (the goal is stated for 1M)\n`);

  const figures: Figure[] = [];
  figures.push(...(await benchStartup(Number(values['startup-runs']))));
  figures.push(...(await benchFilterLoad({ messages: Number(values.messages), bigMessages: Number(values['big-messages']) })));
  figures.push(...(await benchCourierPace({ ...DEFAULT_COURIER_PACE, messages: Number(values['pace-messages']) })));
  figures.push(...(await benchFilterMemory(memoryMessages)));
  const srs = await srsFigures();
  figures.push(...srs.figures);
  console.log('# sender stores: forward+reverse of long senders, beside the stateless core');
  figures.push(...(await benchStores()));
  figures.push(...(await benchPipeAliasGlue(Number(values['glue-runs']), srs.libSrsOpsPerSec)));
  figures.push(...(await benchEndToEnd({ ...DEFAULT_END_TO_END, messages: Number(values['e2e-messages']) })));

  console.log(`\n# summary (${new Date().toISOString()}, node ${process.version})`);
  console.log(formatSummaryTable(figures));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

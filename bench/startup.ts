import { parseArgs } from 'node:util';
import { startFilter } from '../kit/filterProcess';
import { createSpool, removeSpool } from '../kit/spool';
import { median, printFigures, type Figure } from './report';

/**
 * Spawn → fd 3 closed (the filter tells courierfilter it is ready), the way courierfilter
 * starts it; median of `runs`. Goal < 300 ms: `filterctl start` and every reload wait for it.
 */
const GOAL_MS = 300;

export async function benchStartup(runs: number): Promise<Figure[]> {
  console.log(`# start-up: spawn to fd 3 closed, ${runs} runs`);
  const spool = await createSpool();
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const filter = startFilter(spool);
      await filter.ready;
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      await filter.stop();
    }
  } finally {
    await removeSpool(spool);
  }
  console.log(`  runs (ms): ${times.map((t) => t.toFixed(0)).join(' ')}`);
  const figures: Figure[] = [
    { name: 'start-up to ready (median)', value: median(times), unit: 'ms', anchor: { label: 'goal', value: GOAL_MS }, goal: { below: GOAL_MS } },
  ];
  printFigures(figures);
  return figures;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
  benchStartup(Number(values.runs)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { printFigures, type Figure } from './report';
import { benchSrs } from './srs';

/**
 * What srsfilter replaces, the per-alias pipe glue with Debian's srs: one `srs` (a Perl
 * process) per forwarded message. N such runs one after another, as Courier's per-alias pipe
 * would make them.
 */
const SRS_COMMAND = '/usr/bin/srs';
const ARGS = ['--secret', 'bench-s3cret', '--forward', 'alice@sender.test', '--alias', 'example.org'];

function runSrsOnce(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(SRS_COMMAND, ARGS, (error, stdout) => {
      if (error !== null) reject(error);
      else if (!stdout.startsWith('SRS0')) reject(new Error(`srs printed ${JSON.stringify(stdout)}`));
      else resolve();
    }),
  );
}

/** `libSrsOpsPerSec`: lib/srs in-process forward+reverse rate of the same run, the anchor. */
export async function benchPipeAliasGlue(runs: number, libSrsOpsPerSec: number): Promise<Figure[]> {
  console.log(`# per-alias pipe glue: one ${SRS_COMMAND} process per message, ${runs} in a row`);
  if (!existsSync(SRS_COMMAND)) {
    console.log(`  SKIPPED: ${SRS_COMMAND} is not installed (apt-get install srs)`);
    return [];
  }
  await runSrsOnce();
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await runSrsOnce();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const glueRate = runs / seconds;
  const figures: Figure[] = [
    { name: 'pipe glue: srs process per message', value: (seconds * 1000) / runs, unit: 'ms/msg' },
    { name: 'pipe glue: messages/s', value: glueRate, unit: 'msg/s', anchor: { label: 'lib/srs in-process', value: libSrsOpsPerSec } },
    { name: 'lib/srs in-process vs pipe glue', value: libSrsOpsPerSec, unit: 'ops/s', anchor: { label: 'pipe glue', value: glueRate } },
  ];
  printFigures(figures);
  return figures;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' } } });
  benchSrs()
    .then((srs) => benchPipeAliasGlue(Number(values.runs), srs.libSrsOpsPerSec))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}

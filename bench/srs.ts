import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createSrs } from '../lib/srs';

/** One op = one forward plus the reverse of its result: what a forwarded message and its bounce cost. */
export interface SrsBenchResult {
  readonly senders: number;
  readonly libSrsOpsPerSec: number;
  readonly perlOpsPerSec: number;
  /** libSrsOpsPerSec / perlOpsPerSec. */
  readonly ratio: number;
}

const SECRET = 'bench-s3cret';
const ALIAS = 'forwarder.example';
const SENDER_COUNT = 1000;
const WARMUP_MS = 300;
const ROUND_MS = 600;
/** Rounds alternate between lib/srs and Perl and the best of each counts, so a busy machine skews the ratio less. */
const ROUNDS = 3;

/** Varied but reproducible senders: mixed case, + - = . in local parts, several domains. */
function benchSenders(): string[] {
  const shapes = ['user{i}', 'First.Last{i}', 'list-owner+bounce={i}', 'X{i}.y-z', 'a=b+c-{i}.D'];
  return Array.from({ length: SENDER_COUNT }, (_, i) => {
    const local = (shapes[i % shapes.length] as string).replace('{i}', String(i));
    return `${local}@mail${i % 37}.Example${i % 5}.org`;
  });
}

/** Repeats forward+reverse over the senders until `durationMs` passed; ops per second. */
function measureLibSrs(senders: readonly string[], durationMs: number): number {
  const srs = createSrs({ secrets: [Buffer.from(SECRET)] });
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (const sender of senders) {
      const forwarded = srs.forward(sender, ALIAS);
      if (!forwarded.ok || !srs.reverse(forwarded.value).ok) throw new Error(`lib/srs failed on ${sender}`);
    }
    ops += senders.length;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

/** The same loop in Perl, in one process, so start-up does not count. */
const PERL_LOOP = String.raw`
use strict; use warnings; use Mail::SRS; use Time::HiRes qw(time);
my ($secret, $alias, $seconds) = @ARGV;
my $srs = Mail::SRS->new(Secret => [$secret]);
chomp(my @senders = <STDIN>);
my ($ops, $start, $elapsed) = (0, time(), 0);
while ($elapsed < $seconds) {
  for my $sender (@senders) { $srs->reverse($srs->forward($sender, $alias)); }
  $ops += @senders;
  $elapsed = time() - $start;
}
printf "%.3f\n", $ops / $elapsed;
`;

function measurePerl(senders: readonly string[], durationMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const perl = spawn('perl', ['-e', PERL_LOOP, SECRET, ALIAS, String(durationMs / 1000)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    perl.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    perl.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    perl.on('error', reject);
    perl.on('close', (status) => {
      const opsPerSec = Number(stdout.trim());
      if (status !== 0 || !Number.isFinite(opsPerSec)) reject(new Error(`perl Mail::SRS loop failed (status ${status}): ${stderr}`));
      else resolve(opsPerSec);
    });
    perl.stdin.end(senders.map((sender) => `${sender}\n`).join(''));
  });
}

export async function benchSrs(): Promise<SrsBenchResult> {
  const senders = benchSenders();
  measureLibSrs(senders, WARMUP_MS);
  let libSrsOpsPerSec = 0;
  let perlOpsPerSec = 0;
  for (let round = 0; round < ROUNDS; round++) {
    libSrsOpsPerSec = Math.max(libSrsOpsPerSec, measureLibSrs(senders, ROUND_MS));
    perlOpsPerSec = Math.max(perlOpsPerSec, await measurePerl(senders, ROUND_MS));
  }
  return { senders: senders.length, libSrsOpsPerSec, perlOpsPerSec, ratio: libSrsOpsPerSec / perlOpsPerSec };
}

export function formatSrsBench(result: SrsBenchResult): string {
  const rate = (opsPerSec: number): string => `${Math.round(opsPerSec).toLocaleString('en-US')} ops/s`;
  return [
    `SRS forward+reverse, ${result.senders} senders, one op = forward + reverse of its result, best of ${ROUNDS} rounds`,
    `  lib/srs (node ${process.version}): ${rate(result.libSrsOpsPerSec)}`,
    `  Perl Mail::SRS (in-process):  ${rate(result.perlOpsPerSec)}`,
    `  ratio lib/srs / Perl:         ${result.ratio.toFixed(2)}x`,
  ].join('\n');
}

if (require.main === module) {
  benchSrs().then(
    (result) => process.stdout.write(`${formatSrsBench(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

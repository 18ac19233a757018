/**
 * lib/srs against the real Perl Mail::SRS 0.31 (Debian libmail-srs-perl): the same secrets give
 * byte-identical forwards, and each side reverses what the other made. Random senders come in one
 * batch through a `perl -MMail::SRS` filter (the library behind /usr/bin/srs); a few calls of the
 * CLI itself cover its option handling and the newline kept from --secretfile.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createSrs, type Separator, type Srs, type SrsResult } from '../../lib/srs';
import { PERL_SRS, requirePerlSrs } from '../support/perlSrs';
import { describeWithPerlSrs } from '../support/withOptionalTools';

const SRS_CLI = PERL_SRS;
const ALIAS = 'forwarder.example';
const SEED = 5_357_310;
const SENDER_COUNT = 500;

jest.setTimeout(20_000);

/** Reads `F<TAB>sender<TAB>alias` or `R<TAB>address` lines; answers `OK<TAB>result` or `ERR<TAB>message`, then the day it ran on. */
const PERL_BATCH = String.raw`
use strict; use warnings; use Mail::SRS;
my ($separator, $hash_length, @secrets) = @ARGV;
my $srs = Mail::SRS->new(Secret => \@secrets, Separator => $separator, HashLength => $hash_length);
local $SIG{__WARN__} = sub {};
my $first_day = int(time() / 86400);
while (my $line = <STDIN>) {
  chomp $line;
  my ($op, $address, $alias) = split /\t/, $line, 3;
  my $result = eval { $op eq 'F' ? $srs->forward($address, $alias) : $srs->reverse($address) };
  if (defined $result) { print "OK\t$result\n" } else { (my $error = $@) =~ s/\s+/ /g; print "ERR\t$error\n" }
}
print "DAYS\t$first_day\t", int(time() / 86400), "\n";
`;

interface Config {
  readonly name: string;
  readonly secrets: readonly string[];
  readonly separator: Separator;
  readonly hashLength: number;
}

const CONFIGS: readonly Config[] = [
  { name: 'Mail::SRS defaults', secrets: ['tops3cr3t'], separator: '=', hashLength: 4 },
  { name: 'separator +, hash length 8, two secrets', secrets: ['n3w-s3cret', 'tops3cr3t'], separator: '+', hashLength: 8 },
];

/** A sender and what reversing its forward must give: the sender, or for a foreign SRS address the SRS0 at its first hop. */
interface Sample {
  readonly sender: string;
  readonly back: string;
}

const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,14}[a-zA-Z0-9])?$/);
const domain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'org', 'de', 'example', 'co.uk', 'NET'))
  .map(([labels, tld]) => `${labels.join('.')}.${tld}`);
const plainLocal = fc.stringMatching(/^[A-Za-z0-9+\-=._]{1,40}$/).filter((local) => !/^srs[01][-+=]/i.test(local));
const hash = fc.stringMatching(/^[A-Za-z0-9+/]{4}$/);
const stamp = fc.stringMatching(/^[A-Z2-7]{2}$/);
const tagSeparator = fc.constantFrom('=', '+', '-');
const tagCase = fc.constantFrom('SRS', 'srs', 'Srs');

const plainSample = fc.tuple(plainLocal, domain).map(([local, host]): Sample => ({ sender: `${local}@${host}`, back: `${local}@${host}` }));
/** `SRS0<s>REST@hop` from another forwarder: its SRS1 reverses to `SRS0<s>REST@hop`. */
const foreignSrs0 = fc.tuple(tagCase, tagSeparator, hash, stamp, domain, plainLocal, domain).map(([tag, s, h, t, orig, local, hop]): Sample => {
  const rest = `${s}${h}=${t}=${orig}=${local}`;
  return { sender: `${tag}0${rest}@${hop}`, back: `SRS0${rest}@${hop}` };
});
/** `SRS1<s>X=hop=REST@other`: the first hop is kept, so it reverses to `SRS0REST@hop`. */
const foreignSrs1 = fc.tuple(tagCase, tagSeparator, hash, domain, tagSeparator, hash, stamp, domain, plainLocal, domain)
  .map(([tag, s, x, hop, inner, h, t, orig, local, other]): Sample => {
    const rest = `${inner}${h}=${t}=${orig}=${local}`;
    return { sender: `${tag}1${s}${x}=${hop}=${rest}@${other}`, back: `SRS0${rest}@${hop}` };
  });

const SAMPLES: readonly Sample[] = [
  ...fc.sample(fc.oneof({ arbitrary: plainSample, weight: 8 }, { arbitrary: foreignSrs0, weight: 1 }, { arbitrary: foreignSrs1, weight: 1 }), {
    seed: SEED,
    numRuns: SENDER_COUNT,
  }),
  ...['"john doe"@otherdomain.com', 'JÖRG.Ünal@Exämple.DE', `${'x'.repeat(70)}@long.example`].map((sender) => ({ sender, back: sender })),
];

/** Senders in the alias domain: returned unchanged by both, never reversed. */
const OWN_DOMAIN_SENDERS = ['postmaster@forwarder.example', 'Alice@FORWARDER.Example', 'SRS0=abcd=2W=x.example=y@forwarder.example'];

type PerlAnswer = { ok: true; address: string } | { ok: false; message: string };

function runPerlBatch(config: Config, lines: readonly string[]): { answers: PerlAnswer[]; days: readonly string[] } {
  const run = spawnSync('perl', ['-e', PERL_BATCH, config.separator, String(config.hashLength), ...config.secrets], {
    input: lines.map((line) => `${line}\n`).join(''),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`perl -MMail::SRS failed (status ${run.status}): ${run.stderr}`);
  const output = run.stdout.split('\n').slice(0, -1);
  const daysLine = output.pop()?.split('\t') ?? [];
  if (daysLine[0] !== 'DAYS' || output.length !== lines.length) throw new Error(`unexpected perl output: ${run.stdout.slice(0, 500)}`);
  const answers = output.map((line): PerlAnswer => {
    const [status, text = ''] = line.split('\t', 2);
    return status === 'OK' ? { ok: true, address: text } : { ok: false, message: text };
  });
  return { answers, days: daysLine.slice(1) };
}

const today = (): string => String(Math.floor(Date.now() / 86_400_000));

/**
 * Runs `work` (which calls Perl and lib/srs with the real clock) until no midnight passed
 * during it, so both sides stamped the same day.
 */
function onOneDay<T>(work: () => { result: T; perlDays?: readonly string[] }): T {
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = today();
    const { result, perlDays = [] } = work();
    if (today() === before && perlDays.every((day) => day === before)) return result;
  }
  throw new Error('the day changed during three attempts in a row');
}

function srsFor(config: Config): Srs {
  const secrets = config.secrets.map((text) => Buffer.from(text, 'utf8'));
  return createSrs({ secrets, separator: config.separator, hashLength: config.hashLength });
}

function addressOf(result: SrsResult | PerlAnswer): string {
  if (result.ok) return 'value' in result ? result.value : result.address;
  return `(failed: ${'error' in result ? result.error.code : result.message})`;
}

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(SRS_CLI, args, { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(requirePerlSrs);

describeWithPerlSrs.each(CONFIGS)('lib/srs and Perl Mail::SRS with $name', (config) => {
  const srs = srsFor(config);
  const senders = [...SAMPLES.map((sample) => sample.sender), ...OWN_DOMAIN_SENDERS];

  test(`${SAMPLES.length + OWN_DOMAIN_SENDERS.length} forwards are byte-identical`, () => {
    const [ours, theirs] = onOneDay(() => {
      const { answers, days } = runPerlBatch(config, senders.map((sender) => `F\t${sender}\t${ALIAS}`));
      return { result: [senders.map((sender) => addressOf(srs.forward(sender, ALIAS))), answers.map(addressOf)], perlDays: days };
    });
    expect(ours).toEqual(theirs);
  });

  test('Perl reverses what lib/srs forwarded', () => {
    const forwarded = SAMPLES.map((sample) => addressOf(srs.forward(sample.sender, ALIAS)));
    const { answers } = runPerlBatch(config, forwarded.map((address) => `R\t${address}`));
    expect(answers.map(addressOf)).toEqual(SAMPLES.map((sample) => sample.back));
  });

  test('lib/srs reverses what Perl forwarded', () => {
    const { answers } = runPerlBatch(config, SAMPLES.map((sample) => `F\t${sample.sender}\t${ALIAS}`));
    const reversed = answers.map((answer) => (answer.ok ? addressOf(srs.reverse(answer.address)) : addressOf(answer)));
    expect(reversed).toEqual(SAMPLES.map((sample) => sample.back));
  });
});

/** The lines the CLI printed for `senders` forwarded with `options`, and lib/srs's forwards, made on one day. */
function forwardWithCli(srs: Srs, options: readonly string[], senders: readonly string[]): { ours: string[]; theirs: string[] } {
  return onOneDay(() => {
    const theirs = cli([...options, `--alias=${ALIAS}`, ...senders]).stdout.split('\n').slice(0, -1);
    return { result: { ours: senders.map((sender) => addressOf(srs.forward(sender, ALIAS))), theirs } };
  });
}

describeWithPerlSrs(`the ${SRS_CLI} command`, () => {
  const srs = srsFor(CONFIGS[0] as Config);
  const senders = ['test@otherdomain.com', 'First.Last+tag@Mail.Example.ORG', 'SRS0+AbCd=2W=orig.example=a=b@hop.example'];

  test('forwards several senders as lib/srs does', () => {
    const { ours, theirs } = forwardWithCli(srs, ['--secret=tops3cr3t'], senders);
    expect(theirs).toEqual(ours);
  });

  test('honours --separator and --hashlength as lib/srs does', () => {
    const custom = createSrs({ secrets: [Buffer.from('tops3cr3t')], separator: '-', hashLength: 10 });
    const { ours, theirs } = forwardWithCli(custom, ['--secret=tops3cr3t', '--separator=-', '--hashlength=10'], senders);
    expect(theirs).toEqual(ours);
  });

  test('reverses lib/srs addresses, and refuses them under another secret', () => {
    const forwarded = senders.map((sender) => addressOf(srs.forward(sender, ALIAS)));
    expect(cli(['--reverse', '--secret=tops3cr3t', ...forwarded]).stdout.split('\n').slice(0, -1)).toEqual(senders);
    const refused = cli(['--reverse', '--secret=0ther', forwarded[0] as string]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/Invalid hash/);
  });

  test('--secretfile keys include the line end, and lib/srs matches given the same bytes', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'srs-interop-'));
    try {
      const file = path.join(directory, 'secret');
      writeFileSync(file, 'tops3cr3t\n');
      const withNewline = createSrs({ secrets: [Buffer.from('tops3cr3t\n')] });
      const { ours, theirs } = forwardWithCli(withNewline, [`--secretfile=${file}`], senders);
      expect(theirs).toEqual(ours);
      expect(theirs[0]).not.toBe(addressOf(srs.forward(senders[0] as string, ALIAS)));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

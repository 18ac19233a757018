/**
 * srsctl in Debian `srs` form against the real /usr/bin/srs: same stdout and exit status for
 * the same command line, errors included. Each pair runs on one UTC day (see onOneDay).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithPerlSrs } from '../../support/withOptionalTools';
import { PERL_SRS } from '../../support/perlSrs';
import { onOneDay, runNode, runPerlSrs, SRSCTL, type Run } from './support';

jest.setTimeout(60_000);

let dir: string;
const file = (name: string): string => path.join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'srsctl-parity-'));
  writeFileSync(file('no-newline'), 'tops3cr3t');
  writeFileSync(file('newline'), 'tops3cr3t\n');
  writeFileSync(file('crlf'), 'tops3cr3t\r\n');
  writeFileSync(file('several'), '# rotated 2024\n\n   \nn3w-s3cret\ntops3cr3t\n');
  writeFileSync(file('empty'), '');
  writeFileSync(file('comments-only'), '# nothing\n\n \t\n');
  mkdirSync(file('a-directory'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both programs on one command line, on the same UTC day. */
function runBoth(args: readonly string[]): { perl: Run; srsctl: Run } {
  return onOneDay(() => ({ perl: runPerlSrs(args), srsctl: runNode(SRSCTL, args) }));
}

function perlForward(args: readonly string[]): string {
  const run = runPerlSrs(['--forward', ...args]);
  if (run.status !== 0) throw new Error(`perl srs ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout.trim();
}

type Case = readonly [name: string, args: () => readonly string[]];

const S = ['--secret', 'tops3cr3t'];
/** Forward alice through example.org: the most common tail of a command line here. */
const ALICE = ['--alias', 'example.org', 'alice@sender.test'];
const CASES: readonly Case[] = [
  ['forward', () => [...S, ...ALICE]],
  ['forward is the default, several addresses, --address first', () => [...S, '--alias', 'example.org', '--address', 'bob@b.test', 'alice@sender.test']],
  ['alias given as an address', () => [...S, '--alias', 'fwd@example.org', 'alice@sender.test']],
  ['sender already in the alias domain', () => [...S, '--alias', 'example.org', 'alice@Example.ORG']],
  ['options after the address, --opt=value', () => ['alice@sender.test', '--alias=example.org', '--secret=tops3cr3t']],
  ['separator -', () => [...S, '--separator', '-', ...ALICE]],
  ['separator +', () => [...S, '--separator=+', ...ALICE]],
  ['hash length 8', () => [...S, '--hashlength', '8', ...ALICE]],
  ['hash length +6', () => [...S, '--hashlength', '+6', ...ALICE]],
  ['secret starting with a dash', () => ['--secret', '-x', ...ALICE]],
  ['two secrets: the first signs', () => ['--secret', 'n3w', ...S, ...ALICE]],
  ['address after --', () => [...S, '--alias', 'example.org', '--', '-alice@sender.test']],
  ['local part with = + - and dots', () => [...S, '--alias', 'example.org', 'a.b=c+d-e@sender.test']],
  ['SRS0 sender becomes SRS1', () => [...S, '--alias', 'example.org', perlForward(['--secret', 'other', '--alias', 'hop.test', 'alice@sender.test'])]],
  ['SRS1 sender keeps the first hop', () => [...S, '--alias', 'example.org', 'SRS1=xxxx=hop.test==HHHH=TT=sender.test=alice@other.test']],
  ['secret file without newline', () => ['--secretfile', file('no-newline'), ...ALICE]],
  ['secret file with newline (kept in the key)', () => ['--secretfile', file('newline'), ...ALICE]],
  ['secret file with CRLF', () => ['--secretfile', file('crlf'), ...ALICE]],
  ['secret file with comments, blank lines and two secrets', () => ['--secretfile', file('several'), ...ALICE]],
  ['--secret signs before --secretfile', () => [...S, '--secretfile', file('newline'), ...ALICE]],
  ['reverse SRS0', () => [...S, '--reverse', perlForward([...S, ...ALICE])]],
  ['reverse with the secret file', () => ['--secretfile', file('newline'), '--reverse', perlForward(['--secretfile', file('newline'), ...ALICE])]],
  ['reverse with the second secret (rotation)', () => ['--secret', 'n3w', ...S, '--reverse', perlForward([...S, ...ALICE])]],
  ['reverse case-smashed', () => [...S, '--reverse', perlForward([...S, ...ALICE]).toLowerCase()]],
  ['reverse SRS1', () => [...S, '--reverse', perlForward([...S, '--alias', 'example.org', 'SRS0=abcd=AB=sender.test=alice@hop.test'])]],
  ['reverse with hash length 8', () => [...S, '--hashlength', '8', '--reverse', perlForward([...S, '--hashlength', '8', ...ALICE])]],
  ['--reverse wins over --forward', () => ['--forward', '--reverse', ...S, perlForward([...S, ...ALICE])]],
  // errors
  ['no arguments', () => []],
  ['no address', () => [...S, '--alias', 'example.org']],
  ['no secret', () => [...ALICE]],
  ['no alias', () => [...S, 'alice@sender.test']],
  ['sender without @', () => [...S, '--alias', 'example.org', 'alice']],
  ['sender with @ in the local part', () => [...S, '--alias', 'example.org', 'a@b@sender.test']],
  ['null sender (empty address)', () => ['--forward', '', '--alias', 'example.org', ...S]],
  ['second of three addresses fails', () => [...S, '--alias', 'example.org', 'alice@sender.test', 'bad', 'bob@b.test']],
  ['reverse non-SRS', () => [...S, '--reverse', 'alice@example.org']],
  ['reverse without @', () => [...S, '--reverse', 'alice']],
  ['reverse bad hash', () => [...S, '--reverse', 'SRS0=abcd=AB=sender.test=alice@example.org']],
  ['reverse with the wrong secret', () => ['--secret', 'wrong', '--reverse', perlForward([...S, ...ALICE])]],
  ['reverse with a longer hash length than made', () => [...S, '--hashlength', '6', '--reverse', perlForward([...S, ...ALICE])]],
  ['bad separator', () => [...S, '--separator', 'x', ...ALICE]],
  ['separator --', () => [...S, '--separator', '--', ...ALICE]],
  ['hash length 0', () => [...S, '--hashlength', '0', ...ALICE]],
  ['missing secret file', () => ['--secretfile', file('missing'), ...ALICE]],
  ['empty secret file', () => ['--secretfile', file('empty'), ...ALICE]],
  ['secret file of comments only', () => ['--secretfile', file('comments-only'), ...ALICE]],
  ['secret file is a directory', () => ['--secretfile', file('a-directory'), ...ALICE]],
  // refused by the option parser: exit 1, usage on stdout
  ['--help', () => ['--help']],
  ['unknown option', () => [...S, '--bogus', 'alice@sender.test']],
  ['non-numeric hash length', () => [...S, '--hashlength', 'abc', 'alice@sender.test']],
  ['fractional hash length', () => [...S, '--hashlength', '3.5', 'alice@sender.test']],
  ['option without its value', () => [...S, '--alias']],
  ['empty inline value', () => ['--secret=', ...ALICE]],
  ['value for a flag', () => [...S, '--forward=yes', 'alice@sender.test']],
];

describeWithPerlSrs('srsctl in Debian srs form gives what /usr/bin/srs gives', () => {
  it.each(CASES)('%s', (_name, args) => {
    const { perl, srsctl } = runBoth(args());
    expect(srsctl.status).toBe(perl.status);
    if (perl.status === 1) {
      // Getopt::Long's refusals: both print their own usage text on stdout.
      expect(perl.stdout).toMatch(/^Usage:/);
      expect(srsctl.stdout).toMatch(/^Usage:/);
    } else {
      expect(srsctl.stdout).toBe(perl.stdout);
    }
    // An error is one line (never a stack trace); success and --help say nothing on stderr.
    if (perl.status === 0 || perl.stderr === '') {
      expect(srsctl.stderr).toBe('');
    } else {
      expect(srsctl.stderr).toMatch(/^srsctl: [^\n]+\n$/);
    }
  });

  it('covers successes and each kind of failure', () => {
    const statuses = new Set(CASES.map(([, args]) => runPerlSrs(args()).status));
    expect([...statuses].sort()).toEqual([0, 1, 2, 21, 255]);
  });
});

/**
 * Bytes that are not UTF-8 cannot be handed to a child as JavaScript strings (Node passes
 * them on as UTF-8), so these command lines go through bash's $'\xNN' quoting, and both
 * outputs are compared as bytes.
 */
describeWithPerlSrs('bytes that are not UTF-8 are hashed and printed as /usr/bin/srs does', () => {
  const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
  const quote = (arg: Buffer): string => `$'${[...arg].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('')}'`;
  const runBytes = (program: readonly string[], args: readonly Buffer[]): { status: number | null; stdout: Buffer } => {
    const command = [...program.map((part) => quote(Buffer.from(part))), ...args.map(quote)].join(' ');
    const run = spawnSync('/bin/bash', ['-c', command], { encoding: 'buffer', timeout: 20_000 });
    if (run.error) throw run.error;
    return { status: run.status, stdout: run.stdout };
  };
  const bothBytes = (args: readonly Buffer[]) =>
    onOneDay(() => ({ perl: runBytes([PERL_SRS], args), srsctl: runBytes([process.execPath, SRSCTL], args) }));

  const LATIN1 = [bytes('--secret'), bytes('s'), bytes('--alias'), bytes('fwd.example')];
  it.each<[string, () => Buffer[]]>([
    ['a Latin-1 local part', () => [...LATIN1, bytes('caf\xe9@latin1.example')]],
    ['a Latin-1 domain', () => [...LATIN1, bytes('alice@caf\xe9.example')]],
    ['a lone UTF-8 lead byte', () => [...LATIN1, bytes('a\xc3@b.example')]],
    ['a secret that is not UTF-8', () => [bytes('--secret'), bytes('s\xe9\xff'), bytes('--alias'), bytes('fwd.example'), bytes('alice@sender.test')]],
    ['an alias domain that is not UTF-8', () => [bytes('--secret'), bytes('s'), bytes('--alias'), bytes('f\xe9d.example'), bytes('alice@sender.test')]],
    ['reverse of an address that is not UTF-8', () => [bytes('--secret'), bytes('s'), bytes('--reverse'), runBytes([PERL_SRS], [...LATIN1, bytes('caf\xe9@latin1.example')]).stdout.subarray(0, -1)]],
  ])('%s', (_name, args) => {
    const { perl, srsctl } = bothBytes(args());
    expect(perl.status).toBe(0);
    expect(srsctl.status).toBe(0);
    expect(srsctl.stdout.toString('latin1')).toBe(perl.stdout.toString('latin1'));
  });
});

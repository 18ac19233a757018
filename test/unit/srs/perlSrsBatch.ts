import { execFileSync } from 'node:child_process';
import { requirePerlSrs } from '../../support/perlSrs';

/**
 * Mail::SRS (what Debian's `srs` runs) over a batch of requests in ONE perl process, with its
 * clock pinned the way the shared vectors were made (CORE::GLOBAL::time, set before Mail::SRS
 * is compiled). Addresses travel as raw UTF-8 bytes, one per line, as `srs` gets them in argv.
 */
export type PerlRequest =
  | { readonly op: 'forward'; readonly address: string; readonly alias: string }
  | { readonly op: 'reverse'; readonly address: string };

export type PerlAnswer = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly message: string };

const PERL_BATCH = String.raw`
BEGIN { my $now = $ENV{SRS_NOW}; *CORE::GLOBAL::time = sub () { $now } }
use strict;
use Mail::SRS;
my $srs = Mail::SRS->new(Secret => [split /\t/, $ENV{SRS_SECRETS}], MaxAge => 21, HashLength => 4);
while (my $line = <STDIN>) {
  chomp $line;
  my ($op, $address, $alias) = split /\t/, $line, 3;
  my $result = eval { $op eq 'F' ? $srs->forward($address, $alias) : $srs->reverse($address) };
  if (defined $result) { print "OK\t$result\n"; next }
  (my $error = $@ || 'no result') =~ s/\s+/ /g;
  print "ERR\t$error\n";
}
`;

function formatRequest(request: PerlRequest): string {
  const fields = request.op === 'forward' ? ['F', request.address, request.alias] : ['R', request.address];
  if (fields.some((field) => /[\t\r\n]/.test(field))) throw new Error(`cannot send ${JSON.stringify(fields)} to perl`);
  return `${fields.join('\t')}\n`;
}

function parseAnswer(line: string): PerlAnswer {
  const tab = line.indexOf('\t');
  const text = line.slice(tab + 1);
  return line.startsWith('OK\t') ? { ok: true, address: text } : { ok: false, message: text };
}

export function runPerlSrs(secrets: readonly string[], nowSeconds: number, requests: readonly PerlRequest[]): PerlAnswer[] {
  requirePerlSrs();
  const output = execFileSync('perl', ['-e', PERL_BATCH], {
    input: requests.map(formatRequest).join(''),
    env: { ...process.env, SRS_NOW: String(nowSeconds), SRS_SECRETS: secrets.join('\t') },
    stdio: ['pipe', 'pipe', 'ignore'],
    timeout: 30_000,
  });
  const lines = output.toString('utf8').split('\n').slice(0, -1);
  if (lines.length !== requests.length) throw new Error(`perl answered ${lines.length} of ${requests.length} requests`);
  return lines.map(parseAnswer);
}

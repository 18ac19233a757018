// Debian's Perl `srs` (Mail::SRS): the independent reference the filter's addresses must agree with.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function perlSrs(args: readonly string[]): Promise<string> {
  const { stdout } = await run('srs', [...args]);
  return stdout.trim();
}

/** `srs --reverse` with the secrets file the filter uses (it holds no line ending, so both key it alike). */
export function perlReverse(address: string, secretFile: string): Promise<string> {
  return perlSrs(['--reverse', '--secretfile', secretFile, address]);
}

/** An SRS0 address some other forwarder (its own secret, its own domain) made of `sender`. */
export function perlForward(sender: string, secret: string, aliasDomain: string): Promise<string> {
  return perlSrs(['--forward', '--secret', secret, '--alias', aliasDomain, sender]);
}

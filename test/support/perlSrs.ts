/**
 * Debian's Perl SRS (the `srs` command and Mail::SRS), the independent reference several tests
 * compare lib/srs and the CLIs against. Where it is not installed those tests are skipped
 * (optionalTools.ts) and the run says once what to install (optionalToolsNotice.ts); with CI set they
 * run, and fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PERL_SRS = '/usr/bin/srs';
export const PERL_SRS_INSTALL = 'apt-get install srs libmail-srs-perl';

export function perlSrsInstalled(): boolean {
  return existsSync(PERL_SRS) && spawnSync('perl', ['-MMail::SRS', '-e', '1'], { stdio: 'ignore' }).status === 0;
}

/** Throws the line that says what to install, when the reference is missing. */
export function requirePerlSrs(): void {
  if (!perlSrsInstalled()) throw new Error(`Perl Mail::SRS (${PERL_SRS}) is not installed: ${PERL_SRS_INSTALL}`);
}

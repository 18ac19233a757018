// jest globalSetup: the one line a run without the Perl reference prints.
import { PERL_SRS_INSTALL, perlSrsInstalled } from './perlSrs';

export default function perlSrsNotice(): void {
  if (perlSrsInstalled()) return;
  const outcome = process.env.CI ? 'CI is set: they run and fail' : 'they are skipped';
  process.stdout.write(`\nPerl Mail::SRS is not installed: the tests that compare against it need \`${PERL_SRS_INSTALL}\` (${outcome})\n`);
}

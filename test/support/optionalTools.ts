/**
 * Tools some tests need that a developer's machine may lack: Debian's Perl SRS (the reference
 * lib/srs is compared against) and Debian's redis-server (the store tests start their own).
 * Without one, its tests are skipped and the run says once what to install
 * (optionalToolsNotice.ts); with CI set they run, and fail (withOptionalTools.ts).
 */
import { spawnSync } from 'node:child_process';
import { PERL_SRS, PERL_SRS_INSTALL, perlSrsInstalled } from './perlSrs';

export interface OptionalTool {
  /** What the tests compare against or start, for the notice. */
  readonly what: string;
  readonly install: string;
  readonly installed: () => boolean;
}

export const PERL_SRS_TOOL: OptionalTool = {
  what: `Perl Mail::SRS (${PERL_SRS})`,
  install: PERL_SRS_INSTALL,
  installed: perlSrsInstalled,
};

export const REDIS_TOOL: OptionalTool = {
  what: "Debian's redis-server",
  install: 'apt-get install redis-server',
  installed: () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0,
};

export const OPTIONAL_TOOLS: readonly OptionalTool[] = [PERL_SRS_TOOL, REDIS_TOOL];

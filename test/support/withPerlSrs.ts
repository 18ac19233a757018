// describe/it for tests that need the Perl reference (perlSrs.ts): skipped without it, unless CI is set.
import { perlSrsInstalled } from './perlSrs';

const runThem = Boolean(process.env.CI) || perlSrsInstalled();

export const describeWithPerlSrs = runThem ? describe : describe.skip;
export const itWithPerlSrs = runThem ? it : it.skip;

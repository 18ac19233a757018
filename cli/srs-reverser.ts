#!/usr/bin/env node
import { runMain, type CliIo } from './io';
import { EXIT } from './pipeAlias/exitStatus';
import { planReverse } from './pipeAlias/planReverse';
import { runPipeAlias } from './pipeAlias/run';
import { loadLocalDomains } from './policyRuntime';

/**
 * `srs-reverser [--config F]`, for aliasdir files that receive bounces to SRS addresses
 * (`.courier-SRS0-default`, `.courier-srsbounce-default`, …): sends the message on stdin to
 * the original address that RECIPIENT stands for.
 */
export function runReverser(args: readonly string[], io: CliIo): Promise<number> {
  return runPipeAlias(args, io, async ({ policy, srs, positionals, env }) => {
    if (positionals.length > 0) return { ok: false, status: EXIT.tempFail, message: 'srs-reverser takes no arguments: it reads RECIPIENT' };
    const localDomains = await loadLocalDomains(policy);
    if (!localDomains.ok) {
      return { ok: false, status: EXIT.tempFail, message: `cannot read Courier's local domains: ${localDomains.problems.join('; ')}` };
    }
    return planReverse(env.SENDER, env.RECIPIENT, { policy, srs, localDomains: localDomains.value });
  });
}

if (require.main === module) runMain('srs-reverser', runReverser, EXIT.tempFail);

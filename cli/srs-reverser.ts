#!/usr/bin/env node
import { loadCourierDomains } from '../lib/runtime';
import { fail } from '../lib/result';
import { runMain, type CliIo } from './io/cliIo';
import { EXIT } from './pipeAlias/exitStatus';
import { planReverse } from './pipeAlias/planReverse';
import { runPipeAlias } from './pipeAlias/run';
import { openPolicyStore } from './srsSetup/senderStore';

/**
 * `srs-reverser [--config F]`, for aliasdir files that receive bounces to SRS addresses
 * (`.courier-SRS0-default`, `.courier-srsbounce-default`, …): sends the message on stdin to
 * the original address that RECIPIENT stands for.
 */
export function runReverser(args: readonly string[], io: CliIo): Promise<number> {
  return runPipeAlias(args, io, async ({ policy, srs, positionals, env }) => {
    if (positionals.length > 0) return fail({ status: EXIT.tempFail, message: 'srs-reverser takes no arguments: it reads RECIPIENT' });
    const domains = await loadCourierDomains(policy);
    if (!domains.ok) {
      return fail({ status: EXIT.tempFail, message: `cannot read Courier's domains: ${domains.error.join('; ')}` });
    }
    const opened = await openPolicyStore(policy);
    const store = opened.ok ? opened.value : null;
    try {
      return await planReverse(env.SENDER, env.RECIPIENT, { policy, srs, ...domains.value }, store);
    } finally {
      await store?.close();
    }
  });
}

if (require.main === module) runMain('srs-reverser', runReverser, EXIT.tempFail);

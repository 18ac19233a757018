#!/usr/bin/env node
import { runMain, type CliIo } from './io/cliIo';
import { EXIT } from './pipeAlias/exitStatus';
import { planForward } from './pipeAlias/planForward';
import { runPipeAlias } from './pipeAlias/run';

/**
 * `srs-forwarder [--config F] TARGET...`, for a Courier pipe alias such as
 * `| /usr/bin/srs-forwarder someone@example.net`: forwards the message on stdin to the
 * targets with the envelope sender (SENDER) rewritten to SRS with the policy's secrets.
 */
export function runForwarder(args: readonly string[], io: CliIo): Promise<number> {
  return runPipeAlias(args, io, async ({ policy, srs, positionals, env }) =>
    planForward(env.SENDER, positionals, srs, policy.srsDomain),
  );
}

if (require.main === module) runMain('srs-forwarder', runForwarder, EXIT.tempFail);

#!/usr/bin/env node
import { runCheck } from './commands/check';
import { looksLikeDropIn, runDropIn } from './commands/dropIn';
import { runCourier } from './commands/courier';
import { runExplain } from './commands/explain';
import { runForward } from './commands/forward';
import { runGenkey } from './commands/genkey';
import { runHelp } from './commands/help';
import { runPolicy } from './commands/policy';
import { runReload } from './commands/reload';
import { runReverse } from './commands/reverse';
import { runStatus } from './commands/status';
import { STATUS } from './io/exitStatus';
import { fail, runMain, type CliIo, type Command } from './io/cliIo';
import { binaryOf, rawArgs } from './io/rawInput';
import { SRSCTL_USAGE } from './io/srsctlUsage';

const SUBCOMMANDS: ReadonlyMap<string, Command> = new Map([
  ['forward', runForward],
  ['reverse', runReverse],
  ['explain', runExplain],
  ['check', runCheck],
  ['genkey', runGenkey],
  ['reload', runReload],
  ['status', runStatus],
  ['policy', runPolicy],
  ['courier', runCourier],
  ['help', runHelp],
]);

/**
 * A first word naming a subcommand selects it. Arguments as Debian's `srs` takes them are that
 * form, so `srsctl --forward …` and scripts written for /usr/bin/srs keep working; any other
 * first word is a mistyped subcommand, said so rather than read as an address. The Debian form
 * gets the arguments byte for byte (`raw`, binary strings), as /usr/bin/srs hashes them.
 */
export async function runSrsctl(args: readonly string[], io: CliIo, raw: readonly string[] = args.map(binaryOf)): Promise<number> {
  const [first, ...rest] = args;
  const subcommand = first === undefined ? undefined : SUBCOMMANDS.get(first);
  if (subcommand !== undefined) return subcommand(rest, io);
  if (looksLikeDropIn(args)) return runDropIn(raw, io);
  io.stderr(SRSCTL_USAGE);
  return fail(io, `unknown command '${first}'`, STATUS.refused);
}

if (require.main === module) runMain('srsctl', (args, io) => runSrsctl(args, io, rawArgs(args)), 70);

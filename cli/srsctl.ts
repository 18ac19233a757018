#!/usr/bin/env node
import { runCheck } from './commands/check';
import { runDropIn } from './commands/dropIn';
import { runExplain } from './commands/explain';
import { runForward } from './commands/forward';
import { runGenkey } from './commands/genkey';
import { runHelp } from './commands/help';
import { runReverse } from './commands/reverse';
import { runMain, type CliIo, type Command } from './io';
import { binaryOf, rawArgs } from './rawInput';

const SUBCOMMANDS: ReadonlyMap<string, Command> = new Map([
  ['forward', runForward],
  ['reverse', runReverse],
  ['explain', runExplain],
  ['check', runCheck],
  ['genkey', runGenkey],
  ['help', runHelp],
]);

/**
 * A first word naming a subcommand selects it; anything else is the Debian `srs` form, so
 * `srsctl --forward …` and scripts written for /usr/bin/srs keep working. No address can be
 * mistaken for a subcommand: those names have no `@`. The Debian form gets the arguments byte
 * for byte (`raw`, binary strings), as /usr/bin/srs hashes them.
 */
export function runSrsctl(args: readonly string[], io: CliIo, raw: readonly string[] = args.map(binaryOf)): Promise<number> {
  const [first, ...rest] = args;
  const subcommand = first === undefined ? undefined : SUBCOMMANDS.get(first);
  return subcommand === undefined ? runDropIn(raw, io) : subcommand(rest, io);
}

if (require.main === module) runMain('srsctl', (args, io) => runSrsctl(args, io, rawArgs(args)), 70);

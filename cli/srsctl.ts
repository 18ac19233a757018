#!/usr/bin/env node
import { runCheck } from './commands/check';
import { runDropIn } from './commands/dropIn';
import { runExplain } from './commands/explain';
import { runForward } from './commands/forward';
import { runGenkey } from './commands/genkey';
import { runHelp } from './commands/help';
import { runReverse } from './commands/reverse';
import { runMain, type CliIo, type Command } from './io';

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
 * mistaken for a subcommand: those names have no `@`.
 */
export function runSrsctl(args: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = args;
  const subcommand = first === undefined ? undefined : SUBCOMMANDS.get(first);
  return subcommand === undefined ? runDropIn(args, io) : subcommand(rest, io);
}

if (require.main === module) runMain('srsctl', runSrsctl, 70);

import type { StatusReport } from '../../filter/control';
import { askFromCommandLine } from '../control/controlClient';
import { STATUS } from '../io/exitStatus';
import { fail, type CliIo } from '../io/cliIo';

/** `srsctl status [--config F] [--name N]`: exit 0 when the filter runs, 3 when it does not (as init scripts answer). */
export async function runStatus(args: readonly string[], io: CliIo): Promise<number> {
  const asked = await askFromCommandLine('status', args, io);
  if (!asked.ok) return asked.error;
  const response = asked.value;
  if (response.kind !== 'status') return fail(io, `unexpected answer from the filter: ${response.kind}`, STATUS.refused);
  io.stdout(formatStatus(response.status));
  return STATUS.ok;
}

/** `key: value` lines after the first, stable for scripts. */
export function formatStatus(status: StatusReport): string {
  const { decisions } = status;
  const lines = [
    `${status.name} is running`,
    `pid: ${status.pid}`,
    `uptime: ${formatDuration(status.uptimeSeconds)} (since ${status.startedAt})`,
    `policy: ${status.configPath}, loaded ${status.policyLoadedAt}`,
    `srs-domain: ${status.srsDomain}`,
    `secrets: ${status.secrets}`,
    `decisions since start: rewrite=${decisions.rewrite} reverse=${decisions.reverse} pass=${decisions.pass} reject=${decisions.reject} error=${decisions.error}`,
  ];
  if (status.store !== null) lines.push(formatStore(status.store));
  if (status.storeProblem !== null) lines.push(`store: not available (${status.storeProblem}): long senders are embedded, stored ones get 451`);
  return lines.map((line) => `${line}\n`).join('');
}

function formatStore(store: NonNullable<StatusReport['store']>): string {
  const { location, errors, last } = store;
  const latest = last === null ? '' : `, last ${new Date(last.at).toISOString()} ${last.code}: ${last.message}`;
  return `store: ${location}, ${errors} error(s)${latest}`;
}

function formatDuration(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `${days > 0 ? `${days}d ` : ''}${hours}h ${minutes}m ${seconds}s`;
}

import { readdirSync, readFileSync } from 'node:fs';

/**
 * What the kernel says about another process (the filter under load), read from /proc
 * so no extra package is needed. Linux only, like Courier's filter sockets.
 */
export interface ProcessSample {
  /** User + system CPU time of every thread so far, in milliseconds. */
  readonly cpuMs: number;
  /** Resident set size, in KiB. */
  readonly rssKiB: number;
  /** Open file descriptors. */
  readonly fds: number;
}

/** /proc reports CPU in USER_HZ ticks, which Linux fixes at 100 for user space on every architecture. */
const TICKS_PER_SECOND = 100;

function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

function readRssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

export function sampleProcess(pid: number): ProcessSample {
  return { cpuMs: readCpuMs(pid), rssKiB: readRssKiB(pid), fds: readdirSync(`/proc/${pid}/fd`).length };
}

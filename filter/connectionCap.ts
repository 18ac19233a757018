import { readFileSync } from 'node:fs';
import { errnoCode } from '../lib/errno';

/**
 * Descriptors kept free of connections: Node's own (event loop, thread pool, stdio, the
 * listening socket, about 20), the control file each message being processed may hold open
 * while it waits for the disk, and room to spare.
 */
const RESERVED_DESCRIPTORS = 64;

export interface ConnectionCap {
  /** Connections open at once; the server closes further ones at once. */
  readonly maxConnections: number;
  /** Set when the open-file limit, not --max-connections, decided. */
  readonly openFileLimit?: number;
}

/**
 * The most connections to hold open: `wanted` (--max-connections), lowered when the open-file
 * limit (RLIMIT_NOFILE) would run out first. Out of descriptors, libuv accepts and closes
 * every waiting connection without telling Node, so a cap under the limit is what turns
 * exhaustion into refusals the server sees, counts and logs. A refused connection costs
 * nothing: submit answers 432 and the sending MTA retries.
 */
export function connectionCap(wanted: number, maxConcurrent: number, openFileLimit: number | undefined): ConnectionCap {
  if (openFileLimit === undefined) return { maxConnections: wanted };
  const room = openFileLimit - RESERVED_DESCRIPTORS - maxConcurrent;
  return room >= wanted ? { maxConnections: wanted } : { maxConnections: Math.max(1, room), openFileLimit };
}

const OPEN_FILES = /^Max open files\s+(\d+)\s/m;

/**
 * The soft limit on open files from `/proc/self/limits` (Node has no getrlimit), read after
 * Node raised it to the hard limit at start-up; undefined when unlimited or unknown.
 */
export function readOpenFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  let text: string;
  try {
    text = read();
  } catch (error) {
    if (errnoCode(error) === undefined) throw error;
    return undefined;
  }
  const soft = OPEN_FILES.exec(text)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/**
 * Calls `report` at most once per `intervalMs` for events that may come by the thousand,
 * with how many were not reported since the last call.
 */
export function oncePerInterval(intervalMs: number, report: (unreported: number) => void, now: () => number = Date.now): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return () => {
    const time = now();
    if (time - last < intervalMs) {
      unreported += 1;
      return;
    }
    last = time;
    report(unreported);
    unreported = 0;
  };
}

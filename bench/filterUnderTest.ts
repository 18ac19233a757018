import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  createSpool,
  queueMessage,
  removeSpool,
  startFilter,
  type FilterProcess,
  type QueuedMessage,
  type Spool,
} from '../test/integration/filter/harness';

/**
 * The compiled filter started the way courierfilter starts it (the integration harness: temp
 * spool, stdin pipe, fd 3), with the minimal policy an admin writes, ready for load.
 */
export interface FilterUnderTest {
  readonly spool: Spool;
  readonly filter: FilterProcess;
  readonly pid: number;
  readonly socketPath: string;
  /** Puts a fresh copy of `control` into the queue, as submit does for every message. */
  queue(control: Buffer): Promise<QueuedMessage>;
  /** Deletes a message's files, as Courier moves them out of tmp/ after the filters. */
  discard(message: QueuedMessage): Promise<void>;
  close(): Promise<void>;
}

export async function startFilterUnderTest(): Promise<FilterUnderTest> {
  const spool = await createSpool();
  const filter = startFilter(spool);
  try {
    await filter.ready;
  } catch (error) {
    await removeSpool(spool);
    throw error;
  }
  const pid = filter.child.pid;
  if (pid === undefined) throw new Error('filter has no pid');
  return {
    spool,
    filter,
    pid,
    socketPath: filter.socketPath,
    queue: (control) => queueMessage(spool, [control]),
    discard: (message) => rm(path.dirname(message.dataFile), { recursive: true, force: true }),
    async close() {
      await filter.stop();
      await removeSpool(spool);
    },
  };
}

import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { startFilter, type FilterProcess } from '../kit/filterProcess';
import { createSpool, queueMessage, removeSpool, type QueuedMessage, type Spool } from '../kit/spool';

/**
 * The compiled filter started the way courierfilter starts it (the kit: temp
 * spool, stdin pipe, fd 3), with the minimal policy an admin writes, ready for load.
 */
export interface FilterUnderTest {
  readonly spool: Spool;
  readonly filter: FilterProcess;
  readonly pid: number;
  readonly socketPath: string;
  /**
   * Puts a fresh copy of `control` into the queue, as submit does for every message, and
   * fsyncs it as submit does before it calls the filters: otherwise the filter's durable write
   * would also be paying for the file's creation.
   */
  queue(control: Buffer): Promise<QueuedMessage>;
  /** Deletes a message's files, as Courier moves them out of tmp/ after the filters. */
  discard(message: QueuedMessage): Promise<void>;
  close(): Promise<void>;
}

/** What submit does to a file it has written before it calls the filters. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `policy`: keys (YAML names) on top of the minimal policy. */
export async function startFilterUnderTest(policy: Readonly<Record<string, unknown>> = {}): Promise<FilterUnderTest> {
  const spool = await createSpool({ policy });
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
    async queue(control) {
      const message = await queueMessage(spool, [control]);
      await Promise.all([message.dataFile, ...message.controlFiles].map(fsyncFile));
      return message;
    },
    discard: (message) => rm(path.dirname(message.dataFile), { recursive: true, force: true }),
    async close() {
      await filter.stop();
      await removeSpool(spool);
    },
  };
}

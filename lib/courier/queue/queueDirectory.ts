import { promises as fs } from 'node:fs';
import { errnoCode } from '../../errno';
import { fail, ok, type Failure, type Result } from '../../result';

/**
 * Courier's queue directory (`<localstatedir>/tmp`) as found when the configuration was loaded:
 * what every control file the filter opens is checked against. Resolved once, not per message.
 */
export interface QueueDirectory {
  /** Its path with every symbolic link resolved: an opened file's real path must lie inside. */
  readonly realPath: string;
  readonly device: number;
  /** Its owner, the mail user (Courier installs it mode 0770 for the mail user and group). */
  readonly owner: number;
  /** Its group, the mail group: submit always runs with it, whoever called it. */
  readonly group: number;
}

export type QueueDirectoryResult = Result<QueueDirectory, Failure<'unreadable'>>;

export async function findQueueDirectory(path: string): Promise<QueueDirectoryResult> {
  try {
    const realPath = await fs.realpath(path);
    const stats = await fs.stat(realPath);
    if (!stats.isDirectory()) return fail({ code: 'unreadable', message: `${path} is not a directory` });
    return ok({ realPath, device: stats.dev, owner: stats.uid, group: stats.gid });
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined) throw error;
    return fail({ code: 'unreadable', message: `${path}: ${code}` });
  }
}

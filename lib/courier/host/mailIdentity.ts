import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fail, ok, type Failure, type Result } from '../../result';

/** Courier's mail user and mail group as the kernel knows them: what file ownership is compared with. */
export interface MailIdentity {
  readonly user: string;
  readonly uid: number;
  /** Every group the user is in (`id -G`): it may read a file through any of them. */
  readonly gids: readonly number[];
  readonly group: string;
  readonly gid: number;
}

export type MailIdentityErrorCode =
  | 'unknown-user' // `id` does not know the mail user
  | 'unknown-group'; // `getent group` does not know the mail group

export type MailIdentityResult = Result<MailIdentity, Failure<MailIdentityErrorCode>>;

/** Resolves to a command's standard output; rejects, as execFile does, when it fails or exits non-zero. */
export type RunLookup = (command: string, args: readonly string[]) => Promise<string>;

/** `id` and `getent` ask NSS, so a mail user or group from LDAP and the like counts too. */
export async function resolveMailIdentity(user: string, group: string, run: RunLookup = runLookup): Promise<MailIdentityResult> {
  const lookup = async (command: string, args: readonly string[]): Promise<string | undefined> => {
    try {
      return await run(command, args);
    } catch {
      return undefined;
    }
  };
  const [uidText, gidsText, gid] = await Promise.all([lookup('id', ['-u', '--', user]), lookup('id', ['-G', '--', user]), groupId(group, run)]);
  const uid = idOf(uidText);
  const gids = (gidsText ?? '').trim().split(/\s+/).map(idOf);
  if (uid === undefined || !gids.every((gid) => gid !== undefined)) return unknown('unknown-user', `the mail user ${user}`);
  if (gid === undefined) return unknown('unknown-group', `the mail group ${group}`);
  return ok({ user, uid, gids, group, gid });
}

/** The number of `group` as NSS knows it; undefined when it is unknown. */
export async function groupId(group: string, run: RunLookup = runLookup): Promise<number | undefined> {
  try {
    // getent prints `name:password:gid:members`.
    return idOf((await run('getent', ['group', '--', group])).split(':')[2]);
  } catch {
    return undefined;
  }
}

function idOf(text: string | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

function unknown(code: MailIdentityErrorCode, what: string): MailIdentityResult {
  return fail({ code, message: `${what} is unknown on this system` });
}

async function runLookup(command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { timeout: 10_000, encoding: 'utf8' });
  return stdout;
}

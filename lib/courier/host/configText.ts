import { readFile, readdir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoCode } from '../../errno';
import { fail, ok, type Failure, type Result } from '../../result';

export type ConfigReadFailure = Failure<'unreadable'>;

/** The text of a Courier configuration file; undefined when the file does not exist. */
export type ConfigTextResult = Result<string | undefined, ConfigReadFailure>;

/** A plain configuration file, read with readfile()/config_read1l() by Courier: a directory is an error. */
export async function readConfigFile(path: string): Promise<ConfigTextResult> {
  try {
    return ok(await readFile(path, 'utf8'));
  } catch (error) {
    return missingOrUnreadable(error, path);
  }
}

/**
 * A file or a directory, as Debian's makedat reads its sources: every regular file directly in
 * the directory (symlinks followed), except editor backups (`*~`) and dpkg leftovers
 * (`*.dpkg-new` …), concatenated. A file that lacks a final newline gets one, so its last line
 * cannot merge with the next file's first line as it would under `cat`. Files are taken in
 * name order; makedat takes the directory's order, which does not change the set of lines.
 */
export async function readConfigFileOrDirectory(path: string): Promise<ConfigTextResult> {
  try {
    if (!(await stat(path)).isDirectory()) return ok(await readFile(path, 'utf8'));
    const names = (await readdir(path)).filter((name) => !name.endsWith('~') && !/\.dpkg-[a-z]*$/.test(name)).sort();
    const texts: string[] = [];
    for (const name of names) texts.push((await readRegularFile(posix.join(path, name))) ?? '');
    return ok(texts.map(endWithNewline).join(''));
  } catch (error) {
    return missingOrUnreadable(error, path);
  }
}

/** undefined for a dangling symlink or anything that is not a regular file (find -L -type f skips those). */
async function readRegularFile(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return readFile(path, 'utf8');
}

function endWithNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : text + '\n';
}

function missingOrUnreadable(error: unknown, path: string): ConfigTextResult {
  const code = errnoCode(error);
  if (code === undefined) throw error;
  if (code === 'ENOENT') return ok(undefined);
  if (code === 'EISDIR') return fail({ code: 'unreadable', message: `${path} is a directory; Courier reads it as one file` });
  return fail({ code: 'unreadable', message: `cannot read ${path}: ${code}` });
}

import { execFileSync } from 'node:child_process';
import { chown, copyFile, link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatControlFile, parseControlFile } from '../../../../lib/courier/queue/controlFile';
import { withRecipientAddress, withSender } from '../../../../lib/courier/queue/controlFileEdit';
import { applyRewrite, readControlFile, readControlFiles, type DiskWait } from '../../../../lib/courier/queue/controlFileIo';
import { findQueueDirectory, type QueueDirectory } from '../../../../lib/courier/queue/queueDirectory';
import type { ControlFile, EnvelopeChanges } from '../../../../lib/courier/queue';
import { COURIER_FIXTURES, readFixture } from '../../../../kit/repo';

const SRS_SENDER = 'SRS0=abcd=AB=sender.test=alice@example.org';
let dir: string;
/** `dir` stands for Courier's queue. */
let queue: QueueDirectory;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srsfilter-courier-'));
  const found = await findQueueDirectory(dir);
  if (!found.ok) throw new Error(found.error.message);
  queue = found.value;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function copy(sample: string): Promise<string> {
  const path = join(dir, sample);
  await copyFile(join(COURIER_FIXTURES, sample), path);
  return path;
}

function load(sample: string): ControlFile {
  const result = parseControlFile(readFixture(sample));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('readControlFile', () => {
  it('reads and parses a control file', async () => {
    const result = await readControlFile(await copy('multi-alias.ctl'), queue);
    expect(result.ok && formatControlFile(result.value).equals(readFixture('multi-alias.ctl'))).toBe(true);
  });

  it('maps a missing file to not-found', async () => {
    expect(await readControlFile(join(dir, 'gone'), queue)).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('maps a path it cannot read (a directory) to unreadable', async () => {
    expect(await readControlFile(dir, queue)).toMatchObject({ ok: false, error: { code: 'unreadable' } });
  });

  it('refuses a FIFO without blocking on it', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    expect(await readControlFile(path, queue)).toMatchObject({ ok: false, error: { code: 'unreadable', message: `${path} is not a regular file` } });
  });

  it('does not follow a symbolic link', async () => {
    const path = join(dir, 'link');
    await symlink(await copy('local-only.ctl'), path);
    expect(await readControlFile(path, queue)).toMatchObject({ ok: false, error: { code: 'unreadable', message: `${path} is a symbolic link` } });
  });

  it('reads an empty file as one without a sender', async () => {
    const path = join(dir, 'empty');
    await writeFile(path, '');
    expect(await readControlFile(path, queue)).toMatchObject({ ok: false, error: { code: 'no-sender' } });
  });

  it('passes parse errors through', async () => {
    const path = join(dir, 'truncated');
    await writeFile(path, 'salice@sender.test\nrbob@example.org');
    expect(await readControlFile(path, queue)).toMatchObject({ ok: false, error: { code: 'truncated' } });
  });

  it('stops reading past the size limit', async () => {
    const path = join(dir, 'big');
    await writeFile(path, Buffer.concat([Buffer.from('s\n'), Buffer.alloc(300_000, 'O\n')]));
    expect(await readControlFile(path, queue, { maxBytes: 100_000, maxLineBytes: 10 })).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect((await readControlFile(path, queue, { maxBytes: 400_000, maxLineBytes: 10 })).ok).toBe(true);
  });
});

describe.each<DiskWait>(['blocking', 'pooled'])('applyRewrite on disk, waiting %s', (wait) => {
  const sender = (): EnvelopeChanges => ({ sender: SRS_SENDER });
  const firstRecipient = (): EnvelopeChanges => ({ recipients: [{ file: 0, index: 0, to: 'alice@sender.test' }] });
  const rewrite = (path: string, sample: string, changes: EnvelopeChanges) => applyRewrite([{ path, file: load(sample) }], changes, wait, queue);

  it.each([
    ['grows', 'single-alias-to-remote', sender],
    ['shrinks', 'srs-bounce-external-nullsender', firstRecipient],
  ])('%s the file through the same inode, exactly as the lab rewrite', async (_change, sample, changes) => {
    const path = await copy(`${sample}.ctl`);
    const before = await stat(path);
    expect(await rewrite(path, `${sample}.ctl`, changes())).toMatchObject({ ok: true, value: { written: [path] } });
    expect((await stat(path)).ino).toBe(before.ino);
    expect((await readFile(path)).equals(readFixture(`${sample}.after-probe.ctl`))).toBe(true);
  });

  it('keeps hard links pointing at the new content (no rename)', async () => {
    const path = await copy('two-remote-direct.ctl');
    const other = join(dir, 'queue-link');
    await link(path, other);
    await rewrite(path, 'two-remote-direct.ctl', sender());
    expect((await readFile(other)).equals(readFixture('two-remote-direct.after-probe.ctl'))).toBe(true);
    expect((await stat(other)).nlink).toBe(2);
  });

  it('maps a missing file to not-found and does not create it', async () => {
    const path = join(dir, 'gone');
    expect(await rewrite(path, 'local-only.ctl', sender())).toMatchObject({ ok: false, error: { code: 'not-found', path } });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not write through a symbolic link', async () => {
    const target = await copy('local-only.ctl');
    const path = join(dir, 'link');
    await symlink(target, path);
    expect(await rewrite(path, 'local-only.ctl', sender())).toMatchObject({ ok: false, error: { code: 'unwritable' } });
    expect((await readFile(target)).equals(readFixture('local-only.ctl'))).toBe(true);
  });

  it('maps a path it cannot write (a directory) to unwritable', async () => {
    expect(await rewrite(dir, 'local-only.ctl', sender())).toMatchObject({ ok: false, error: { code: 'unwritable' } });
  });
});

describe('applyRewrite', () => {
  it('rewrites the sender in every control file of the message', async () => {
    const paths = [await copy('two-remote-direct.ctl'), await copy('multi-alias.ctl')];
    const targets = [
      { path: paths[0] as string, file: load('two-remote-direct.ctl') },
      { path: paths[1] as string, file: load('multi-alias.ctl') },
    ];
    const result = await applyRewrite(targets, { sender: SRS_SENDER }, 'pooled', queue);
    expect(result).toMatchObject({ ok: true, value: { written: paths } });
    expect((await readFile(paths[0] as string)).equals(readFixture('two-remote-direct.after-probe.ctl'))).toBe(true);
    expect((await readFile(paths[1] as string)).equals(readFixture('multi-alias.after-probe.ctl'))).toBe(true);
  });

  it('writes only the files whose bytes change', async () => {
    const path = await copy('srs-bounce-external-nullsender.ctl');
    const other = await copy('local-only.ctl');
    const result = await applyRewrite(
      [
        { path: other, file: load('local-only.ctl') },
        { path, file: load('srs-bounce-external-nullsender.ctl') },
      ],
      { recipients: [{ file: 1, index: 0, to: 'alice@sender.test' }] },
      'pooled',
      queue,
    );
    expect(result).toMatchObject({ ok: true, value: { written: [path] } });
    expect((await readFile(path)).equals(readFixture('srs-bounce-external-nullsender.after-probe.ctl'))).toBe(true);
    expect(result.ok && formatControlFile(result.value.files[1] as ControlFile).equals(readFixture('srs-bounce-external-nullsender.after-probe.ctl'))).toBe(
      true,
    );
  });

  it('writes nothing for a sender that is already the one in the file', async () => {
    const path = await copy('local-only.ctl');
    expect(await applyRewrite([{ path, file: load('local-only.ctl') }], { sender: 'alice@sender.test' }, 'pooled', queue)).toMatchObject({ ok: true, value: { written: [] } });
  });

  it('reports which path failed', async () => {
    const missing = join(dir, 'gone');
    const result = await applyRewrite([{ path: missing, file: load('local-only.ctl') }], { sender: SRS_SENDER }, 'pooled', queue);
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found', path: missing } });
  });
});

describe('what was opened must be a file of the queue', () => {
  let outside: string;
  beforeEach(async () => {
    outside = await mkdtemp(join(tmpdir(), 'srsfilter-outside-'));
  });
  afterEach(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  // O_NOFOLLOW covers the last component only: the path names a file inside the queue as
  // text, but its directory is a link to elsewhere.
  it('refuses to read or write through a symlinked directory inside the queue', async () => {
    await copyFile(join(COURIER_FIXTURES, 'single-alias-to-remote.ctl'), join(outside, 'ctl'));
    await symlink(outside, join(dir, 'msg'));
    const path = join(dir, 'msg', 'ctl');
    const refused = { code: 'outside-queue', message: expect.stringContaining(`resolves to ${join(outside, 'ctl')}`) };
    expect(await readControlFile(path, queue)).toEqual({ ok: false, error: refused });
    const file = load('single-alias-to-remote.ctl');
    expect(await applyRewrite([{ path, file }], { sender: SRS_SENDER }, 'blocking', queue)).toEqual({ ok: false, error: { ...refused, path } });
    expect((await readFile(join(outside, 'ctl'))).equals(readFixture('single-alias-to-remote.ctl'))).toBe(true);
  });

  it('checks the real path again when the path leads to another file at write time', async () => {
    await mkdir(join(dir, 'msg'));
    await copyFile(join(COURIER_FIXTURES, 'single-alias-to-remote.ctl'), join(dir, 'msg', 'ctl'));
    const path = join(dir, 'msg', 'ctl');
    const read = await readControlFiles([path], queue);
    if (!read.ok) throw new Error(read.error.message);
    // Between the read and the write, the message's directory becomes a link to elsewhere.
    await rm(join(dir, 'msg'), { recursive: true });
    await copyFile(join(COURIER_FIXTURES, 'single-alias-to-remote.ctl'), join(outside, 'ctl'));
    await symlink(outside, join(dir, 'msg'));
    const refused = { code: 'outside-queue', message: expect.stringContaining(`resolves to ${join(outside, 'ctl')}`) };
    expect(await applyRewrite(read.value, { sender: SRS_SENDER }, 'blocking', queue)).toEqual({ ok: false, error: { ...refused, path } });
    expect((await readFile(join(outside, 'ctl'))).equals(readFixture('single-alias-to-remote.ctl'))).toBe(true);
  });

  it('writes the file it read without reading its real path again', async () => {
    const path = await copy('single-alias-to-remote.ctl');
    const read = await readControlFiles([path], queue);
    if (!read.ok) throw new Error(read.error.message);
    // A queue whose real path no file can be under: only a skipped check lets the write through.
    const elsewhere = { ...queue, realPath: join(dir, 'nowhere') };
    expect(await applyRewrite(read.value, { sender: SRS_SENDER }, 'blocking', elsewhere)).toMatchObject({ ok: true, value: { written: [path] } });
    expect(await applyRewrite([{ path, file: load('single-alias-to-remote.ctl') }], { sender: SRS_SENDER }, 'blocking', elsewhere)).toMatchObject({
      ok: false,
      error: { code: 'outside-queue' },
    });
  });

  it('reads a file in a plain subdirectory of the queue', async () => {
    await mkdir(join(dir, 'msg'));
    await copyFile(join(COURIER_FIXTURES, 'local-only.ctl'), join(dir, 'msg', 'ctl'));
    expect(await readControlFile(join(dir, 'msg', 'ctl'), queue)).toMatchObject({ ok: true });
  });

  it('refuses a file on another file system than the queue', async () => {
    const path = await copy('local-only.ctl');
    expect(await readControlFile(path, { ...queue, device: queue.device + 1 })).toMatchObject({ ok: false, error: { code: 'outside-queue' } });
  });

  (process.getuid?.() === 0 ? it : it.skip)('refuses a file of neither the mail user nor the mail group, and takes one of either', async () => {
    const path = await copy('local-only.ctl');
    await chown(path, 4242, 4242);
    expect(await readControlFile(path, queue)).toMatchObject({ ok: false, error: { code: 'foreign-owner', message: expect.stringContaining('uid 4242 gid 4242') } });
    // A local user's sendmail runs submit with the user's id and the mail group.
    await chown(path, 4242, queue.group);
    expect(await readControlFile(path, queue)).toMatchObject({ ok: true });
    await chown(path, queue.owner, 4242);
    expect(await readControlFile(path, queue)).toMatchObject({ ok: true });
  });
});

describe('readControlFiles', () => {
  it('reads every file of the message in order', async () => {
    const paths = [await copy('two-remote-direct.ctl'), await copy('multi-alias.ctl')];
    const result = await readControlFiles(paths, queue);
    expect(result.ok && result.value.map((target) => target.path)).toEqual(paths);
  });

  it('refuses a message whose control files together are over the budget', async () => {
    const paths = [await copy('two-remote-direct.ctl'), await copy('multi-alias.ctl')];
    const sizes = await Promise.all(paths.map(async (path) => (await stat(path)).size));
    const total = (sizes[0] as number) + (sizes[1] as number);
    expect((await readControlFiles(paths, queue, total)).ok).toBe(true);
    expect(await readControlFiles(paths, queue, total - 1)).toMatchObject({ ok: false, error: { code: 'message-too-large', path: paths[1] } });
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnableFiltering, readEnableFiltering } from '../../../../lib/courier/host/enableFiltering';
import type { CourierPaths } from '../../../../lib/courier/host';

describe('parseEnableFiltering', () => {
  it.each([
    ['esmtp\n', ['esmtp']],
    ['esmtp local\n', ['esmtp', 'local']],
    ['  esmtp\tlocal  uucp\r\n', ['esmtp', 'local', 'uucp']],
    ['esmtp\nlocal\n', ['esmtp']],
    ['', []],
  ])('reads %j as %j (first line only, like submit)', (text, sources) => {
    expect(parseEnableFiltering(text)).toEqual(sources);
  });
});

describe('readEnableFiltering', () => {
  let dir: string;
  let paths: CourierPaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srsfilter-courier-'));
    paths = { sysconfdir: dir, localstatedir: dir, libexecdir: dir, bindir: dir, sbindir: dir, mailuser: 'courier', mailgroup: 'courier' };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file', async () => {
    await writeFile(join(dir, 'enablefiltering'), 'esmtp local\n');
    expect(await readEnableFiltering(paths)).toEqual({ ok: true, value: ['esmtp', 'local'] });
  });

  it('a missing file means no source is filtered', async () => {
    expect(await readEnableFiltering(paths)).toEqual({ ok: true, value: [] });
  });

  it('answers unreadable for a directory', async () => {
    await mkdir(join(dir, 'enablefiltering'));
    expect(await readEnableFiltering(paths)).toMatchObject({ ok: false, error: { code: 'unreadable' } });
  });
});

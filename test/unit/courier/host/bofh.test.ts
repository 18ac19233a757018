import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBofhOptions, readBofh, spfFailHandling } from '../../../../lib/courier/host/bofh';
import type { CourierPaths } from '../../../../lib/courier/host';

describe('parseBofhOptions', () => {
  it('reads opt lines as submit does and ignores the other directives', () => {
    const text = [
      '# Courier bofh',
      'badfrom @spam.test',
      'maxrcpts 100 hard',
      'opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown',
      'OPT\tBOFHSPFHELO=pass,none   # trailing comment',
      '  opt BOFHCHECKHELO=1\r',
      'opt NOEQUALS',
      'opt',
      '#opt BOFHSPFFROM=all',
    ].join('\n');
    expect([...parseBofhOptions(text)]).toEqual([
      ['BOFHSPFMAILFROM', 'pass,none,neutral,softfail,unknown'],
      ['BOFHSPFHELO', 'pass,none'],
      ['BOFHCHECKHELO', '1'],
    ]);
  });

  it('keeps the first line of a name, as submit sets a variable only once', () => {
    expect(parseBofhOptions('opt BOFHSPFHELO=pass,none\nopt BOFHSPFHELO=all\n').get('BOFHSPFHELO')).toBe('pass,none');
    expect(parseBofhOptions('opt BOFHSPFHELO=\nopt BOFHSPFHELO=pass\n').get('BOFHSPFHELO')).toBe('');
  });

  it('ends the value at a blank', () => {
    expect(parseBofhOptions('opt BOFHSPFMAILFROM=pass, fail\n').get('BOFHSPFMAILFROM')).toBe('pass,');
  });
});

describe('spfFailHandling', () => {
  const handling = (line: string) => spfFailHandling(parseBofhOptions(line), 'BOFHSPFMAILFROM');

  it.each([
    ['', 'off'],
    ['opt BOFHSPFMAILFROM=off', 'off'],
    ['opt BOFHSPFMAILFROM=', 'off'],
    ['opt BOFHSPFMAILFROM=pass,none,off', 'off'],
    ['opt BOFHSPFMAILFROM=all', 'accepted'],
    ['opt BOFHSPFMAILFROM=pass,none,fail', 'accepted'],
    ['opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown', 'refused'],
    ['opt BOFHSPFMAILFROM=pass', 'refused'],
    ['opt BOFHSPFMAILFROM=pass,FAIL', 'refused'],
    ['opt BOFHSPFHELO=all', 'off'],
  ])('%j: %s', (line, expected) => {
    expect(handling(line)).toBe(expected);
  });
});

describe('readBofh', () => {
  let dir: string;
  let paths: CourierPaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srsfilter-bofh-'));
    paths = { sysconfdir: dir, localstatedir: dir, libexecdir: dir, bindir: dir, sbindir: dir, mailuser: 'courier', mailgroup: 'courier' };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads sysconfdir/bofh', async () => {
    await writeFile(join(dir, 'bofh'), 'opt BOFHSPFHELO=pass,none\n');
    expect(await readBofh(paths)).toEqual({ ok: true, value: new Map([['BOFHSPFHELO', 'pass,none']]) });
  });

  it('a missing file sets nothing', async () => {
    expect(await readBofh(paths)).toEqual({ ok: true, value: new Map() });
  });

  it('answers unreadable for a directory', async () => {
    await mkdir(join(dir, 'bofh'));
    expect(await readBofh(paths)).toMatchObject({ ok: false, error: { code: 'unreadable' } });
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAcceptMailFor, readAcceptMailFor } from '../../../../lib/courier/host/acceptMailFor';
import { parseLocals } from '../../../../lib/courier/host/localDomains';
import type { AcceptMailFor, CourierPaths } from '../../../../lib/courier/host';

function accepted(list: string, dat: string[] = [], hostname = 'vm'): AcceptMailFor {
  return createAcceptMailFor({ list: parseLocals(list), dat, hostname });
}

const which = (domains: AcceptMailFor, names: string[]): string[] => names.filter((name) => domains.accepts(name));

describe('AcceptMailFor.accepts', () => {
  it('reads esmtpacceptmailfor as Courier reads locals: comments, ! lines, . wildcards, first match decides', () => {
    const domains = accepted('# relayed\nExample.ORG\n!host.backup.test  # not this one\n.backup.test\nbackup.test\n');
    expect(which(domains, ['example.org', 'EXAMPLE.org.', 'a.backup.test', 'backup.test', 'host.backup.test', 'a.host.backup.test', 'remote.test', ''])).toEqual([
      'example.org',
      'EXAMPLE.org.',
      'a.backup.test',
      'backup.test',
      'a.host.backup.test',
    ]);
  });

  it('* lines stand for the hostname', () => {
    expect(which(accepted('*.example.com\n', [], 'mx1'), ['mx1.example.com', 'mx2.example.com'])).toEqual(['mx1.example.com']);
  });

  it('the .dir domains count when the file does not: exact names and .domain for up to 7 levels below', () => {
    const domains = accepted('!dir.test\n', ['dir.test', '.wild.test']);
    expect(which(domains, ['dir.test', 'x.dir.test', 'a.wild.test', 'a.b.c.d.e.f.g.wild.test', 'wild.test'])).toEqual([
      'dir.test',
      'a.wild.test',
      'a.b.c.d.e.f.g.wild.test',
    ]);
    expect(domains.accepts('a.b.c.d.e.f.g.h.wild.test')).toBe(false);
  });

  it('compares IDN domains in Unicode whichever form is written', () => {
    expect(accepted('xn--e1afmkfd.xn--80akhbyknj4f\n').accepts('ПРИМЕР.испытание')).toBe(true);
  });
});

describe('readAcceptMailFor', () => {
  let dir: string;
  let paths: CourierPaths;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srsfilter-accept-'));
    paths = { sysconfdir: dir, localstatedir: join(dir, 'var'), libexecdir: join(dir, 'lib'), bindir: '/usr/bin', sbindir: '/usr/sbin', mailuser: 'courier', mailgroup: 'courier' };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file and the files of esmtpacceptmailfor.dir (makedat lines: # at line start, TAB values, "." ends)', async () => {
    await writeFile(join(dir, 'esmtpacceptmailfor'), 'localhost\nexample.org\n');
    await mkdir(join(dir, 'esmtpacceptmailfor.dir'));
    await writeFile(join(dir, 'esmtpacceptmailfor.dir', 'a'), '# backup MX\nbackup-a.test\n.sub.test\tignored');
    await writeFile(join(dir, 'esmtpacceptmailfor.dir', 'b'), 'backup-b.test\n.\nafter-end.test\n');
    await writeFile(join(dir, 'esmtpacceptmailfor.dir', 'b~'), 'editor-backup.test\n');
    const result = await readAcceptMailFor(paths, 'vm');
    if (!result.ok) throw new Error(result.error.message);
    const names = ['example.org', 'backup-a.test', 'x.sub.test', 'backup-b.test', 'after-end.test', 'editor-backup.test', 'remote.test'];
    expect(which(result.value, names)).toEqual(['example.org', 'backup-a.test', 'x.sub.test', 'backup-b.test']);
  });

  it('without the file, the domain of me is accepted (and only it)', async () => {
    await writeFile(join(dir, 'me'), 'mail.example.org\n');
    const result = await readAcceptMailFor(paths, 'vm');
    if (!result.ok) throw new Error(result.error.message);
    expect(which(result.value, ['mail.example.org', 'vm', 'example.org'])).toEqual(['mail.example.org']);
  });

  it('without the file and me, the hostname is accepted', async () => {
    const result = await readAcceptMailFor(paths, 'VM.example.net');
    expect(result.ok && result.value.accepts('vm.example.net')).toBe(true);
  });

  it('answers unreadable when esmtpacceptmailfor is a directory', async () => {
    await mkdir(join(dir, 'esmtpacceptmailfor'));
    expect(await readAcceptMailFor(paths, 'vm')).toMatchObject({ ok: false, error: { code: 'unreadable', message: expect.stringContaining('directory') } });
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDomains, parseHostedDomains, parseLocals, parseMe, readLocalDomains } from '../../../../lib/courier/host/localDomains';
import type { CourierPaths, LocalDomains } from '../../../../lib/courier/host';

function domains(locals: string, hosted = '', extra: string[] = [], hostname = 'vm'): LocalDomains {
  return createLocalDomains({ locals: parseLocals(locals), hostedDomains: parseHostedDomains(hosted), extra, hostname });
}

describe('parseLocals', () => {
  it('reads domains, ! exclusions and . wildcards in order; drops comments and blank lines', () => {
    expect(parseLocals('# local domains\nExample.ORG\n\n!host.example.com   # not this one\n.example.com\r\n  localhost  \n')).toEqual([
      { pattern: 'example.org', exclude: false },
      { pattern: 'host.example.com', exclude: true },
      { pattern: '.example.com', exclude: false },
      { pattern: 'localhost', exclude: false },
    ]);
  });

  it('decodes IDNA A-labels, also in wildcards', () => {
    expect(parseLocals('xn--e1afmkfd.xn--80akhbyknj4f\n.XN--E1AFMKFD.xn--80akhbyknj4f.\n')).toEqual([
      { pattern: 'пример.испытание', exclude: false },
      { pattern: '.пример.испытание', exclude: false },
    ]);
  });

  it('reads the lab locals file', () => {
    expect(parseLocals('localhost\nmail.example.org\nexample.org\n').map((r) => r.pattern)).toEqual(['localhost', 'mail.example.org', 'example.org']);
  });
});

describe('parseHostedDomains', () => {
  it('reads domains and TAB aliases, # only at line start, stops at a "." line', () => {
    expect(parseHostedDomains('# hosted\ndomain.com\nmail.domain.com\tdomain.com\n.Wild.Test\n\n.\nafter.test\n')).toEqual([
      { domain: 'domain.com', aliasOf: '' },
      { domain: 'mail.domain.com', aliasOf: 'domain.com' },
      { domain: '.wild.test', aliasOf: '' },
    ]);
  });
});

describe('parseMe', () => {
  it('takes the first line, * stands for the hostname, absent means the hostname', () => {
    expect(parseMe('mail.example.org\nignored\n', 'vm')).toBe('mail.example.org');
    expect(parseMe('*.example.com\n', 'mx1')).toBe('mx1.example.com');
    expect(parseMe(undefined, 'mx1')).toBe('mx1');
  });
});

describe('LocalDomains.isLocal', () => {
  it('matches exact domains case-insensitively, with or without a trailing dot', () => {
    const local = domains('example.org\n');
    expect(['example.org', 'EXAMPLE.org', 'example.org.'].map((d) => local.isLocal(d))).toEqual([true, true, true]);
    expect(['sub.example.org', 'notexample.org', 'example.org.evil.test', ''].map((d) => local.isLocal(d))).toEqual([false, false, false, false]);
  });

  it('a leading . matches every subdomain but not the domain itself', () => {
    const local = domains('.example.com\n');
    expect(['a.example.com', 'a.b.c.example.com', 'example.com', 'someexample.com'].map((d) => local.isLocal(d))).toEqual([true, true, false, false]);
  });

  it('! excludes a host from a later wildcard (courier(8) example)', () => {
    const local = domains('!host.domain.com\n.domain.com\ndomain.com\n');
    expect(local.isLocal('anything.domain.com')).toBe(true);
    expect(local.isLocal('domain.com')).toBe(true);
    expect(local.isLocal('host.domain.com')).toBe(false);
    expect(local.isLocal('a.host.domain.com')).toBe(true);
  });

  it('! after the wildcard has no effect: the first matching line decides', () => {
    expect(domains('.domain.com\n!host.domain.com\n').isLocal('host.domain.com')).toBe(true);
  });

  it('! can exclude a whole subtree', () => {
    const local = domains('!.lab.example.com\n.example.com\n');
    expect(local.isLocal('x.lab.example.com')).toBe(false);
    expect(local.isLocal('lab.example.com')).toBe(true);
  });

  it('compares IDN domains in Unicode whichever form is written', () => {
    const local = domains('пример.испытание\n');
    expect(local.isLocal('xn--e1afmkfd.xn--80akhbyknj4f')).toBe(true);
    expect(local.isLocal('ПРИМЕР.испытание')).toBe(true);
  });

  it('* lines stand for the system hostname', () => {
    const local = domains('*\n*.example.com\n', '', [], 'MX1');
    expect(local.isLocal('mx1')).toBe(true);
    expect(local.isLocal('mx1.example.com')).toBe(true);
    expect(local.isLocal('mx2.example.com')).toBe(false);
    expect(domains('*\n', '', [], 'mx1').isLocal('mx1.example.com')).toBe(false);
  });

  it('hosted domains: exact, aliases, and . wildcards for subdomains', () => {
    const local = domains('', 'domain.com\nmail.domain.com\tdomain.com\n.wild.test\n');
    expect(['domain.com', 'mail.domain.com', 'x.wild.test', 'a.b.wild.test'].map((d) => local.isLocal(d))).toEqual([true, true, true, true]);
    expect(['wild.test', 'other.domain.com'].map((d) => local.isLocal(d))).toEqual([false, false]);
  });

  it('hosted wildcards reach 5 levels up, as Courier looks them up', () => {
    const local = domains('', '.example.com\n');
    expect(local.isLocal('a.b.c.d.e.example.com')).toBe(true);
    expect(local.isLocal('a.b.c.d.e.f.example.com')).toBe(false);
  });

  it("the policy's own local-domains count too, in the locals syntax", () => {
    const local = domains('example.org\n', '', ['Partner.Test', '.corp.test']);
    expect(['partner.test', 'x.corp.test', 'example.org'].map((d) => local.isLocal(d))).toEqual([true, true, true]);
    expect(local.isLocal('corp.test')).toBe(false);
  });

  it('whyLocal names the source and the rule', () => {
    const local = domains('.example.com\n', 'hosted.test\n', ['own.test']);
    expect(local.whyLocal('a.example.com')).toEqual({ source: 'locals', rule: '.example.com' });
    expect(local.whyLocal('hosted.test')).toEqual({ source: 'hosteddomains', rule: 'hosted.test' });
    expect(local.whyLocal('own.test')).toEqual({ source: 'local-domains', rule: 'own.test' });
    expect(local.whyLocal('remote.test')).toBeUndefined();
  });
});

describe('readLocalDomains', () => {
  let dir: string;
  let paths: CourierPaths;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srsfilter-courier-'));
    paths = {
      sysconfdir: dir,
      localstatedir: join(dir, 'var'),
      libexecdir: join(dir, 'lib'),
      bindir: '/usr/bin',
      sbindir: '/usr/sbin',
      mailuser: 'courier',
      mailgroup: 'courier',
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads locals and a hosteddomains directory, skipping backups, dpkg files and dangling links', async () => {
    await writeFile(join(dir, 'locals'), 'localhost\nmail.example.org\nexample.org\n');
    await mkdir(join(dir, 'hosteddomains'));
    await writeFile(join(dir, 'hosteddomains', 'a'), 'hosted-a.test');
    await writeFile(join(dir, 'hosteddomains', 'b'), 'hosted-b.test\n');
    await writeFile(join(dir, 'hosteddomains', 'b~'), 'backup.test\n');
    await writeFile(join(dir, 'hosteddomains', 'c.dpkg-new'), 'dpkg.test\n');
    await symlink(join(dir, 'nowhere'), join(dir, 'hosteddomains', 'dangling'));
    const result = await readLocalDomains(paths, ['own.test'], 'vm');
    if (!result.ok) throw new Error(result.error.message);
    const local = ['example.org', 'hosted-a.test', 'hosted-b.test', 'own.test'];
    const remote = ['backup.test', 'dpkg.test', 'remote.test', 'vm'];
    expect(local.map((d) => result.value.isLocal(d))).toEqual([true, true, true, true]);
    expect(remote.map((d) => result.value.isLocal(d))).toEqual([false, false, false, false]);
  });

  it('reads hosteddomains as a plain file too', async () => {
    await writeFile(join(dir, 'locals'), '');
    await writeFile(join(dir, 'hosteddomains'), 'hosted.test\n');
    const result = await readLocalDomains(paths, [], 'vm');
    expect(result.ok && result.value.isLocal('hosted.test')).toBe(true);
  });

  it('without locals, the first line of me is the local domain', async () => {
    await writeFile(join(dir, 'me'), 'mail.example.org\n');
    const result = await readLocalDomains(paths, [], 'vm');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.isLocal('mail.example.org')).toBe(true);
    expect(result.value.isLocal('vm')).toBe(false);
  });

  it('without locals and me, the hostname is the local domain', async () => {
    const result = await readLocalDomains(paths, [], 'VM.example.net');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.isLocal('vm.example.net')).toBe(true);
  });

  it('answers unreadable when locals is a directory (Courier reads it as one file)', async () => {
    await mkdir(join(dir, 'locals'));
    expect(await readLocalDomains(paths, [], 'vm')).toMatchObject({ ok: false, error: { code: 'unreadable', message: expect.stringContaining('directory') } });
  });
});

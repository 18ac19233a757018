import {
  courierFiles,
  DEBIAN_COURIER_PATHS as DEBIAN,
  discoverCourierPaths,
  OVERRIDABLE_COURIER_PATHS,
  parseCourierConfig,
  resolveCourierPaths,
} from '../../../../lib/courier/host/paths';
import { readFixture } from '../../../../kit/repo';

const DEBIAN_OUTPUT = readFixture('courier-config.debian12.txt').toString('utf8');

describe('parseCourierConfig', () => {
  it("reads the real output of Debian 12's courier-config (quoted configure_args included) as DEBIAN_COURIER_PATHS", () => {
    expect(parseCourierConfig(DEBIAN_OUTPUT)).toEqual({ ok: true, value: DEBIAN });
  });

  it('reads a build with another prefix', () => {
    const output = DEBIAN_OUTPUT.replaceAll('/etc/courier', '/usr/local/etc/courier').replace('mailuser=courier', 'mailuser=daemon');
    expect(parseCourierConfig(output)).toMatchObject({ ok: true, value: { sysconfdir: '/usr/local/etc/courier', mailuser: 'daemon' } });
  });

  it.each([
    ['sysconfdir missing', DEBIAN_OUTPUT.replace(/^sysconfdir=.*\n/m, '')],
    ['a relative localstatedir', DEBIAN_OUTPUT.replace('localstatedir=/var/lib/courier', 'localstatedir=var')],
    ['an empty mailgroup', DEBIAN_OUTPUT.replace('mailgroup=courier', 'mailgroup=')],
    ['no output at all', ''],
  ])('answers bad-output for %s', (_what, output) => {
    expect(parseCourierConfig(output)).toMatchObject({ ok: false, error: { code: 'bad-output' } });
  });
});

describe('discoverCourierPaths', () => {
  it('parses what the injected runner prints', async () => {
    expect(await discoverCourierPaths(async () => DEBIAN_OUTPUT)).toEqual({ ok: true, value: DEBIAN });
  });

  it('answers not-installed when courier-config is not on PATH', async () => {
    const missing = Object.assign(new Error('spawn courier-config ENOENT'), { code: 'ENOENT' });
    expect(await discoverCourierPaths(() => Promise.reject(missing))).toMatchObject({ ok: false, error: { code: 'not-installed' } });
  });

  it('answers failed when courier-config exits non-zero', async () => {
    const exit = Object.assign(new Error('Command failed: courier-config'), { code: 1 });
    expect(await discoverCourierPaths(() => Promise.reject(exit))).toEqual({
      ok: false,
      error: { code: 'failed', message: 'courier-config failed: Command failed: courier-config' },
    });
  });

  it('answers bad-output when the runner prints garbage', async () => {
    expect(await discoverCourierPaths(async () => 'hello\n')).toMatchObject({ ok: false, error: { code: 'bad-output' } });
  });
});

describe('resolveCourierPaths', () => {
  const LOCAL_BUILD = DEBIAN_OUTPUT.replaceAll('/usr/lib/courier', '/opt/courier/lib').replace('mailuser=courier', 'mailuser=daemon');
  const printsLocalBuild = (): jest.Mock<Promise<string>, []> => jest.fn(async () => LOCAL_BUILD);

  it("puts the policy's overrides on top of courier-config's answer", async () => {
    const run = printsLocalBuild();
    expect(await resolveCourierPaths({ sysconfdir: '/srv/etc' }, { run })).toEqual({
      ok: true,
      value: { ...DEBIAN, sysconfdir: '/srv/etc', libexecdir: '/opt/courier/lib', mailuser: 'daemon' },
    });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('does not run courier-config when the overrides give both directories the filter reads', async () => {
    const run = jest.fn(() => Promise.reject(Object.assign(new Error('spawn courier-config ENOENT'), { code: 'ENOENT' })));
    expect(await resolveCourierPaths({ sysconfdir: '/srv/etc', localstatedir: '/srv/var' }, { run })).toEqual({
      ok: true,
      value: { ...DEBIAN, sysconfdir: '/srv/etc', localstatedir: '/srv/var' },
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('runs courier-config when a field the caller needs is not overridden', async () => {
    const run = printsLocalBuild();
    const overrides = { sysconfdir: '/srv/etc', localstatedir: '/srv/var', mailuser: 'mail', mailgroup: 'mail' };
    const resolved = await resolveCourierPaths(overrides, { needs: OVERRIDABLE_COURIER_PATHS, run });
    expect(resolved).toMatchObject({ ok: true, value: { ...overrides, libexecdir: '/opt/courier/lib' } });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('needs no courier-config when every overridable field is given', async () => {
    const run = printsLocalBuild();
    const overrides = { sysconfdir: '/a', localstatedir: '/b', libexecdir: '/c', mailuser: 'm', mailgroup: 'g' };
    expect(await resolveCourierPaths(overrides, { needs: OVERRIDABLE_COURIER_PATHS, run })).toMatchObject({ ok: true, value: overrides });
    expect(run).not.toHaveBeenCalled();
  });

  it("passes courier-config's failure through", async () => {
    const missing = Object.assign(new Error('spawn courier-config ENOENT'), { code: 'ENOENT' });
    expect(await resolveCourierPaths({ sysconfdir: '/srv/etc' }, { run: () => Promise.reject(missing) })).toMatchObject({
      ok: false,
      error: { code: 'not-installed' },
    });
  });
});

describe('courierFiles', () => {
  it("derives Debian's paths", () => {
    expect(courierFiles(DEBIAN)).toEqual({
      filtersDir: '/usr/lib/courier/filters',
      activeFiltersDir: '/etc/courier/filters/active',
      allFiltersSocketDir: '/var/lib/courier/allfilters',
      filtersSocketDir: '/var/lib/courier/filters',
      queueTmpDir: '/var/lib/courier/tmp',
      enableFiltering: '/etc/courier/enablefiltering',
      bofh: '/etc/courier/bofh',
      locals: '/etc/courier/locals',
      me: '/etc/courier/me',
      hostedDomains: '/etc/courier/hosteddomains',
      aliasDir: '/etc/courier/aliasdir',
      esmtpAcceptMailFor: '/etc/courier/esmtpacceptmailfor',
      esmtpAcceptMailForDir: '/etc/courier/esmtpacceptmailfor.dir',
    });
  });
});

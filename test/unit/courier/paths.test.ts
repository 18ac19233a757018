import { courierFiles, discoverCourierPaths, parseCourierConfig } from '../../../lib/courier/paths';
import type { CourierPaths } from '../../../lib/courier/types';
import { fixture } from './fixtures';

const DEBIAN: CourierPaths = {
  sysconfdir: '/etc/courier',
  localstatedir: '/var/lib/courier',
  libexecdir: '/usr/lib/courier',
  bindir: '/usr/bin',
  sbindir: '/usr/sbin',
  mailuser: 'courier',
  mailgroup: 'courier',
};
const DEBIAN_OUTPUT = fixture('courier-config.debian12.txt').toString('utf8');

describe('parseCourierConfig', () => {
  it("reads the real output of Debian 12's courier-config (quoted configure_args included)", () => {
    expect(parseCourierConfig(DEBIAN_OUTPUT)).toEqual({ ok: true, paths: DEBIAN });
  });

  it('reads a build with another prefix', () => {
    const output = DEBIAN_OUTPUT.replaceAll('/etc/courier', '/usr/local/etc/courier').replace('mailuser=courier', 'mailuser=daemon');
    expect(parseCourierConfig(output)).toMatchObject({ ok: true, paths: { sysconfdir: '/usr/local/etc/courier', mailuser: 'daemon' } });
  });

  it.each([
    ['sysconfdir missing', DEBIAN_OUTPUT.replace(/^sysconfdir=.*\n/m, '')],
    ['a relative localstatedir', DEBIAN_OUTPUT.replace('localstatedir=/var/lib/courier', 'localstatedir=var')],
    ['an empty mailgroup', DEBIAN_OUTPUT.replace('mailgroup=courier', 'mailgroup=')],
    ['no output at all', ''],
  ])('answers bad-output for %s', (_what, output) => {
    expect(parseCourierConfig(output)).toMatchObject({ ok: false, code: 'bad-output' });
  });
});

describe('discoverCourierPaths', () => {
  it('parses what the injected runner prints', async () => {
    expect(await discoverCourierPaths(async () => DEBIAN_OUTPUT)).toEqual({ ok: true, paths: DEBIAN });
  });

  it('answers not-installed when courier-config is not on PATH', async () => {
    const missing = Object.assign(new Error('spawn courier-config ENOENT'), { code: 'ENOENT' });
    expect(await discoverCourierPaths(() => Promise.reject(missing))).toMatchObject({ ok: false, code: 'not-installed' });
  });

  it('answers failed when courier-config exits non-zero', async () => {
    const exit = Object.assign(new Error('Command failed: courier-config'), { code: 1 });
    expect(await discoverCourierPaths(() => Promise.reject(exit))).toEqual({
      ok: false,
      code: 'failed',
      message: 'courier-config failed: Command failed: courier-config',
    });
  });

  it('answers bad-output when the runner prints garbage', async () => {
    expect(await discoverCourierPaths(async () => 'hello\n')).toMatchObject({ ok: false, code: 'bad-output' });
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
      locals: '/etc/courier/locals',
      me: '/etc/courier/me',
      hostedDomains: '/etc/courier/hosteddomains',
      aliasDir: '/etc/courier/aliasdir',
      esmtpAcceptMailFor: '/etc/courier/esmtpacceptmailfor',
    });
  });
});

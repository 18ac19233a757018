import { secretsFileExposures, secretsFileFix, type FileOwnership } from '../../../lib/config';

const COURIER = { uid: 103, gid: 106, group: 'courier' };
const file = (mode: number, uid = 0, gid = 106): FileOwnership => ({ mode, uid, gid });
const codes = (owned: FileOwnership) => secretsFileExposures(owned, COURIER).map((exposure) => exposure.code);

describe('the secrets file permission rule', () => {
  it.each([
    ['0640 root:courier', file(0o640)],
    ['0600 root:root', file(0o600, 0, 0)],
    ['0640 root:root', file(0o640, 0, 0)],
    ['0400 courier:courier', file(0o400, 103, 106)],
    ['0600 root:adm (the group has no bits)', file(0o600, 0, 4)],
  ])('passes %s', (_name, owned) => {
    expect(codes(owned)).toEqual([]);
  });

  it.each([
    ['0640 root:adm', file(0o640, 0, 4), ['foreign-group']],
    ['0600 owned by another user', file(0o600, 1000, 106), ['foreign-owner']],
    ['0660 root:courier', file(0o660), ['group-writable']],
    ['0644 root:courier', file(0o644), ['world-readable']],
    ['0602 root:courier', file(0o602), ['world-writable']],
    ['0666 someone:staff', file(0o666, 1000, 50), ['foreign-owner', 'foreign-group', 'group-writable', 'world-writable', 'world-readable']],
  ])('refuses %s', (_name, owned, expected) => {
    expect(codes(owned)).toEqual(expected);
  });

  it('says what each exposure allows, with the mode and the ids', () => {
    expect(secretsFileExposures(file(0o640, 0, 4), COURIER)).toEqual([
      { code: 'foreign-group', text: 'is readable by group 4 (mode 0640), not the mail group courier: its members can forge bounces' },
    ]);
    expect(secretsFileExposures(file(0o600, 1000), COURIER)[0]?.text).toBe(
      'is owned by uid 1000, neither root nor the mail user: its owner can read and replace the secret',
    );
  });

  it('has one fix', () => {
    expect(secretsFileFix('/etc/courier/srsfilter.secret', 'courier')).toBe(
      'chmod 0640 /etc/courier/srsfilter.secret && chown root:courier /etc/courier/srsfilter.secret',
    );
  });
});

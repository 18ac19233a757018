import fc from 'fast-check';
import { createSrs, type SrsResult } from '../../../lib/srs';
import { NOW_S, secret, srsAt } from './fixtures';

const today = srsAt(0);
const forwardedAt = (days: number, sender = 'kim@otherdomain.com'): string => addressOf(srsAt(days).forward(sender, 'example.com'));

function addressOf(result: SrsResult): string {
  if (!result.ok) throw new Error(`expected an address, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('reverse', () => {
  test('SRS0 gives back the sender, SRS1 the SRS0 at the first hop', () => {
    expect(today.reverse('SRS0=vmyz=2W=otherdomain.com=test@example.com')).toEqual({ ok: true, value: 'test@otherdomain.com' });
    const srs1 = addressOf(today.forward('SRS0+AbCd=2W=orig.example=alice@hop.example', 'example.com'));
    expect(today.reverse(srs1)).toEqual({ ok: true, value: 'SRS0+AbCd=2W=orig.example=alice@hop.example' });
  });

  test('case is ignored in tag, hash and stamp, and kept in the result', () => {
    expect(today.reverse('srs0=VMYZ=2w=OtherDomain.com=Test@example.com')).toEqual({ ok: true, value: 'Test@OtherDomain.com' });
    expect(today.reverse('srs0=VMYZ=2w=otherdomain.com=test@EXAMPLE.COM')).toEqual({ ok: true, value: 'test@otherdomain.com' });
    const mixed = addressOf(today.forward('Bob.Smith@Mail.Example.ORG', 'example.com'));
    expect(today.reverse(mixed.toLowerCase())).toEqual({ ok: true, value: 'bob.smith@mail.example.org' });
    expect(today.reverse(mixed)).toEqual({ ok: true, value: 'Bob.Smith@Mail.Example.ORG' });
  });

  test('key rotation: every secret verifies, a dropped one does not', () => {
    const signedByOld = addressOf(today.forward('judy@mail.example.org', 'example.com'));
    const rotated = createSrs({ secrets: [secret('n3w-s3cret'), secret('tops3cr3t')], now: () => NOW_S * 1000 });
    const dropped = createSrs({ secrets: [secret('n3w-s3cret')], now: () => NOW_S * 1000 });
    expect(rotated.reverse(signedByOld)).toEqual({ ok: true, value: 'judy@mail.example.org' });
    expect(dropped.reverse(signedByOld)).toEqual({ ok: false, error: { code: 'bad-hash', message: expect.stringMatching(/bad hash/) } });
  });

  test('base64url hashes are accepted whatever alphabet is emitted', () => {
    const url = srsAt(-1, { hashAlphabet: 'base64url' });
    const emitted = addressOf(url.forward('u3@otherdomain.com', 'example.com'));
    expect(emitted).toContain('_');
    expect(today.reverse(emitted)).toEqual({ ok: true, value: 'u3@otherdomain.com' });
    expect(url.reverse('SRS0=a/8L=2V=otherdomain.com=u3@example.com')).toEqual({ ok: true, value: 'u3@otherdomain.com' });
  });

  test('ages 0..maxAgeDays pass across the 1024-day wrap; older ones expire', () => {
    const afterWrap = srsAt(1030);
    expect(afterWrap.reverse(forwardedAt(1030 - 21))).toMatchObject({ ok: true });
    expect(afterWrap.reverse(forwardedAt(1030 - 22))).toEqual({
      ok: false,
      error: { code: 'expired', message: 'SRS address expired: it is 22 days old, at most 21 days are accepted' },
    });
    expect(srsAt(0, { maxAgeDays: 0 }).reverse(forwardedAt(-1))).toMatchObject({ error: { code: 'expired' } });
  });

  test('a stamp from the future is expired, and the message says it is in the future', () => {
    expect(today.reverse(forwardedAt(1))).toEqual({
      ok: false,
      error: { code: 'expired', message: 'SRS address is dated 1 day in the future (a wrong clock, or forged)' },
    });
    expect(today.reverse(forwardedAt(100))).toMatchObject({ error: { code: 'expired', message: expect.stringMatching(/924 days old/) } });
  });

  test('the hash is checked before the stamp', () => {
    const old = forwardedAt(-30);
    expect(today.reverse(old.replace(/^SRS0=..../, 'SRS0=AAAA'))).toMatchObject({ error: { code: 'bad-hash' } });
  });

  test('hash length: as many characters as supplied are compared, at least hashMin', () => {
    const long = srsAt(0, { hashLength: 10 });
    const short = srsAt(0, { hashLength: 8, hashMin: 6 });
    const full = addressOf(long.forward('heidi@mail.example.org', 'example.com'));
    const hash = full.slice(5, 15);
    const withHash = (text: string): string => full.replace(hash, text);
    expect(short.reverse(full)).toMatchObject({ ok: true });
    expect(short.reverse(withHash(hash.slice(0, 6)))).toMatchObject({ ok: true });
    expect(short.reverse(withHash(hash.slice(0, 5)))).toEqual({
      ok: false,
      error: { code: 'bad-hash', message: 'SRS hash has 5 characters, fewer than the 6 required' },
    });
    const garbage = hash[8]?.toLowerCase() === 'a' ? 'BB' : 'AA';
    expect(short.reverse(withHash(`${hash.slice(0, 8)}${garbage}`))).toMatchObject({ error: { code: 'bad-hash' } });
    expect(short.reverse(withHash(`${hash}${'A'.repeat(18)}`))).toMatchObject({ error: { code: 'bad-hash' } });
  });

  test.each([
    ['plain address', 'alice@example.com'],
    ['address without @', 'postmaster'],
    ['SRS2 tag', 'SRS2=abcd=2W=otherdomain.com=x@example.com'],
    ['tag without separator', 'SRS0abcd=2W=otherdomain.com=x@example.com'],
  ])('%s is not-srs', (_what, address) => {
    expect(today.reverse(address)).toMatchObject({ ok: false, error: { code: 'not-srs' } });
  });

  test.each([
    ['no @', 'SRS0=vmyz=2W=otherdomain.com=test'],
    ['an empty domain', 'SRS0=vmyz=2W=otherdomain.com=test@'],
    ['an @ in the local part', 'SRS0=vmyz=2W=otherdomain.com=te@st@example.com'],
    ['too few SRS0 fields', 'SRS0=vmyz=2W=otherdomain.com@example.com'],
    ['an empty original domain', 'SRS0=vmyz=2W==test@example.com'],
    ['a three-character stamp', 'SRS0=vmyz=A2W=otherdomain.com=test@example.com'],
    ['a stamp with a non-base32 character', 'SRS0=vmyz=2!=otherdomain.com=test@example.com'],
    ['hash characters outside base64', 'SRS0=vm.z=2W=otherdomain.com=test@example.com'],
    ['a hashless SRS1', 'SRS1=hop.example=x=2W=otherdomain.com=test@example.com'],
    ['too few SRS1 fields', 'SRS1=abcd=hop.example@example.com'],
    ['an empty SRS1 opaque part', 'SRS1=abcd=hop.example=@example.com'],
  ])('an address with %s is malformed', (_what, address) => {
    expect(today.reverse(address)).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });

  test('forward then reverse gives the sender back (random senders, fixed seed)', () => {
    const local = fc.stringMatching(/^[A-Za-z0-9+\-=._]{1,40}$/);
    const domain = fc.stringMatching(/^[A-Za-z0-9-]{1,20}(\.[A-Za-z0-9-]{1,20}){0,2}\.[a-z]{2,6}$/);
    fc.assert(
      fc.property(local, domain, fc.integer({ min: -21, max: 0 }), (user, host, days) => {
        const sender = `${user}@${host}`;
        const reversed = today.reverse(forwardedAt(days, sender));
        const expected = /^srs[01][-+=]/i.test(user) ? { ok: true } : { ok: true, value: sender };
        expect(reversed).toMatchObject(expected);
      }),
      { seed: 20200101, numRuns: 500 },
    );
  });
});

import { createSrs, type Srs, type SrsResult } from '../../../lib/srs';
import { NOW_S, secret, srsAt } from './fixtures';

const srs = srsAt(0);

describe('forward', () => {
  test('the known example of Mail::SRS', () => {
    expect(srs.forward('test@otherdomain.com', 'example.com')).toEqual({
      ok: true,
      value: 'SRS0=vmyz=2W=otherdomain.com=test@example.com',
    });
  });

  // Values below were computed with Mail::SRS 0.31 at NOW_S.
  test.each([
    ['"john doe"@otherdomain.com', 'SRS0=knnY=2W=otherdomain.com="john doe"@example.com'],
    ['JÖRG@Examplé.de', 'SRS0=7Ey6=2W=Examplé.de=JÖRG@example.com'],
    ['SRS0-x=y@hop.example', 'SRS1=Ygs8=hop.example=-x=y@example.com'],
  ])('%s as Mail::SRS forwards it', (sender, expected) => {
    expect(srs.forward(sender, 'example.com')).toEqual({ ok: true, value: expected });
  });

  test('the first secret signs', () => {
    const rotated = createSrs({ secrets: [secret('n3w-s3cret'), secret('tops3cr3t')], now: () => NOW_S * 1000 });
    expect(rotated.forward('judy@mail.example.org', 'example.com')).toEqual({
      ok: true,
      value: 'SRS0=KbDK=2W=mail.example.org=judy@example.com',
    });
  });

  test('base64url emits - and _ where base64 has + and /', () => {
    const forwardU3 = (srs: Srs): SrsResult => srs.forward('u3@otherdomain.com', 'example.com');
    expect(forwardU3(srsAt(-1))).toMatchObject({ value: 'SRS0=a/8L=2V=otherdomain.com=u3@example.com' });
    expect(forwardU3(srsAt(-1, { hashAlphabet: 'base64url' }))).toMatchObject({ value: 'SRS0=a_8L=2V=otherdomain.com=u3@example.com' });
  });

  test('hashLength 27 emits the whole unpadded digest', () => {
    expect(srsAt(0, { hashLength: 27 }).forward('test@otherdomain.com', 'example.com')).toMatchObject({
      value: 'SRS0=vmyz7BwaV7BFsJiaZTJeJaQF2Ys=2W=otherdomain.com=test@example.com',
    });
  });

  test('the stamp follows the clock and wraps every 1024 days', () => {
    const forwardKim = (days: number): SrsResult => srsAt(days).forward('kim@otherdomain.com', 'example.com');
    expect(forwardKim(3)).toMatchObject({ value: 'SRS0=gCCm=2Z=otherdomain.com=kim@example.com' });
    expect(forwardKim(100)).toMatchObject({ value: 'SRS0=Sz3p=52=otherdomain.com=kim@example.com' });
    expect(forwardKim(1024)).toEqual(forwardKim(0));
  });

  test('an alias given as an address counts by its domain, as srs --alias does', () => {
    expect(srs.forward('test@otherdomain.com', 'forwarder@example.com')).toMatchObject({
      value: 'SRS0=vmyz=2W=otherdomain.com=test@example.com',
    });
  });

  test('a sender in the alias domain, SRS or not, passes unchanged whatever its case', () => {
    expect(srs.forward('Alice@Example.COM', 'example.com')).toEqual({ ok: true, value: 'Alice@Example.COM' });
    expect(srs.forward('SRS1=abcd=hop.example==x@example.com', 'EXAMPLE.com')).toEqual({
      ok: true,
      value: 'SRS1=abcd=hop.example==x@example.com',
    });
  });

  test.each([
    ['no @', 'alice.example.org'],
    ['an empty domain', 'alice@'],
    ['an @ in the local part', 'a@b@example.org'],
    ['an empty local part', '@example.org'],
    ['the null sender', ''],
    ['an = in the domain (its SRS0 could not be reversed)', 'alice@b=c.example'],
    ['an SRS1 without first hop and opaque part', 'SRS1=abcd@hop.example'],
    ['an SRS1 with an empty first hop', 'SRS1=abcd==x@hop.example'],
    ['an SRS1 with an empty opaque part', 'SRS1=abcd=hop.example=@other.example'],
  ])('refuses a sender with %s as malformed', (_what, sender) => {
    expect(srs.forward(sender, 'example.com')).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });

  test('an empty alias domain is a bug of the caller', () => {
    expect(() => srs.forward('test@otherdomain.com', '')).toThrow(RangeError);
  });
});

describe("addressEncoding 'latin1': one character per byte", () => {
  const bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
  const latin1 = srsAt(0, { addressEncoding: 'latin1' });

  test('hashes the same bytes as the default does for their UTF-8 text', () => {
    const utf8 = srs.forward('JÖRG@Examplé.de', 'example.com');
    const binary = latin1.forward(bytes('JÖRG@Examplé.de'), 'example.com');
    expect(binary.ok && utf8.ok && binary.value).toBe(utf8.ok && bytes(utf8.value));
  });

  test('hashes a byte that is not UTF-8 as that byte, and reverses it', () => {
    const forwarded = latin1.forward('caf\xe9@latin1.example', 'example.com');
    expect(forwarded).toEqual({ ok: true, value: expect.stringMatching(/^SRS0=[^=]{4}=2W=latin1\.example=caf\xe9@example\.com$/) });
    expect(latin1.reverse((forwarded as { value: string }).value)).toEqual({ ok: true, value: 'caf\xe9@latin1.example' });
  });
});

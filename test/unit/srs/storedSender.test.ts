import { localPartOctets, storedSenderKeyIn, storedSenderKeyOf } from '../../../lib/srs';
import { srsAt } from './fixtures';

// postsrsd 2's own cases (tests/blackbox/socketmap.py, DATABASE_QUERIES): secret tops3cr3t,
// SRS domain example.com, timestamp 2W, database mode.
const POSTSRSD_ALIAS = 'SRS0=bxzH=2W=1=DCJGDE6N24LCRT41A4T0G1UIF0DTKKQJ@example.com';

describe('storedSenderKeyOf', () => {
  test('is the base32hex SHA-1 of the sender plus @1, as postsrsd stores it', () => {
    expect(storedSenderKeyOf('test@otherdomain.com')).toBe('DCJGDE6N24LCRT41A4T0G1UIF0DTKKQJ@1');
  });

  test('hashes the sender as given: another case is another key', () => {
    expect(storedSenderKeyOf('Test@otherdomain.com')).not.toBe(storedSenderKeyOf('test@otherdomain.com'));
  });

  test('hashes the UTF-8 bytes (RFC 6531 senders)', () => {
    expect(storedSenderKeyOf('jörg@example.de')).toMatch(/^[0-9A-V]{32}@1$/);
    expect(storedSenderKeyOf('jörg@example.de')).not.toBe(storedSenderKeyOf('j\u00f6rg@example.de'.normalize('NFD')));
  });

  test("forwarded like a sender, it is postsrsd 2's database-mode address, at most 64 octets", () => {
    const srs = srsAt(0);
    const longSender = `0100018c7a1b2c3d-4e5f6a7b-8c9d-4e1f-9a3b-4c5d6e7f8a9b-000000@us-east-1.amazonses.com`;
    expect(srs.forward(storedSenderKeyOf('test@otherdomain.com'), 'example.com')).toEqual({ ok: true, value: POSTSRSD_ALIAS });
    const forwarded = srs.forward(storedSenderKeyOf(longSender), 'example.com');
    expect(forwarded.ok && localPartOctets(forwarded.value)).toBeLessThanOrEqual(64);
  });
});

describe('storedSenderKeyIn', () => {
  const srs = srsAt(1);

  test.each([
    [POSTSRSD_ALIAS, 'DCJGDE6N24LCRT41A4T0G1UIF0DTKKQJ@1'],
    // postsrsd's "case-munged alias": a receiver lower-cased the address.
    ['SRS0=bxzH=2W=1=dcjgde6n24lcrt41a4t0g1uif0dtkkqj@example.com', 'DCJGDE6N24LCRT41A4T0G1UIF0DTKKQJ@1'],
    ['SRS0=hdxW=2W=1=VVVVVVUNVVVVVVS1VVVVVVUIVVVTKKQJ@example.com', 'VVVVVVUNVVVVVVS1VVVVVVUIVVVTKKQJ@1'],
  ])('the reversal of %s needs the store under %s', (address, key) => {
    const reversed = srs.reverse(address);
    expect(reversed.ok).toBe(true);
    expect(reversed.ok && storedSenderKeyIn(reversed.value)).toBe(key);
  });

  test.each(['test@otherdomain.com', 'SRS0=x@hop.example', 'user@1.example', 'user@11'])(
    '%s is an ordinary address',
    (address) => {
      expect(storedSenderKeyIn(address)).toBeNull();
    },
  );
});

describe('localPartOctets', () => {
  test('counts UTF-8 octets of the local part', () => {
    expect(localPartOctets('jörg@example.de')).toBe(5);
    expect(localPartOctets('a@b@example.de')).toBe(3);
  });
});

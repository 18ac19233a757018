import { formatAddressPattern, matchesAnyAddressPattern, parseAddressPattern, type AddressPattern } from '../../../lib/config';

function pattern(text: string): AddressPattern {
  const parsed = parseAddressPattern(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

describe('parseAddressPattern', () => {
  it.each([
    ['user@Example.org', { kind: 'address', address: 'user@example.org' }],
    ['example.org', { kind: 'domain', domain: 'example.org' }],
    ['@example.org', { kind: 'domain', domain: 'example.org' }],
    ['.example.org', { kind: 'subdomains', domain: 'example.org' }],
    ['@.example.org', { kind: 'subdomains', domain: 'example.org' }],
    [' Example.ORG ', { kind: 'domain', domain: 'example.org' }],
  ])('%s', (text, expected) => {
    expect(parseAddressPattern(text)).toEqual({ ok: true, value: expected });
  });

  it.each(['', '@', '.', 'a b@example.org', 'user@', 'user@exa mple.org', 'example..org', '..example.org'])(
    'refuses %j',
    (text) => {
      expect(parseAddressPattern(text)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/user@domain/) } });
    },
  );

  it.each(['user@example.org', 'example.org', '.example.org'])('formats %s back as written', (text) => {
    expect(formatAddressPattern(pattern(text))).toBe(text);
  });
});

describe('matchesAnyAddressPattern', () => {
  const patterns = ['boss@partner.test', 'news.test', '.lists.test'].map(pattern);
  it.each([
    ['Boss@Partner.TEST', true],
    ['other@partner.test', false],
    ['anyone@news.test', true],
    ['anyone@sub.news.test', false],
    ['x@a.lists.test', true],
    ['x@lists.test', false],
    ['x@notlists.test', false],
    ['no-domain', false],
  ])('%s → %s', (address, expected) => {
    expect(matchesAnyAddressPattern(address, patterns)).toBe(expected);
  });
});

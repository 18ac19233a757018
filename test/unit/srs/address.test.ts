import { isSrsLocalPart, splitAddress } from '../../../lib/srs';
import { equalsIgnoringAsciiCase, lowerAscii } from '../../../lib/srs/address';

describe('isSrsLocalPart', () => {
  test.each(['SRS0=x', 'srs0+x', 'Srs1-x', 'SRS1=', 'sRs0=hash=TT=d=l'])('%s is SRS', (local) => {
    expect(isSrsLocalPart(local)).toBe(true);
  });

  test.each(['SRS0', 'SRS0_x', 'SRS2=x', 'xSRS0=x', 'srs0user', 'SRS', ''])('%s is not', (local) => {
    expect(isSrsLocalPart(local)).toBe(false);
  });
});

describe('splitAddress', () => {
  test('splits at the last @', () => {
    expect(splitAddress('a@b@example.org')).toEqual({ local: 'a@b', domain: 'example.org' });
    expect(splitAddress('@example.org')).toEqual({ local: '', domain: 'example.org' });
  });

  test.each(['alice', 'alice@', ''])('%s has no domain', (address) => {
    expect(splitAddress(address)).toBeNull();
  });
});

describe('ASCII-only case folding, as Perl lc on bytes', () => {
  test('non-ASCII letters keep their case', () => {
    expect(lowerAscii('JÖRG@Examplé.DE')).toBe('jÖrg@examplé.de');
    expect(lowerAscii('ABC.def')).toBe('abc.def');
  });

  test('domains compare equal ignoring A-Z case only', () => {
    expect(equalsIgnoringAsciiCase('Example.COM', 'example.com')).toBe(true);
    expect(equalsIgnoringAsciiCase('exämple.com', 'exÄmple.com')).toBe(false);
    expect(equalsIgnoringAsciiCase('example.com', 'example.co')).toBe(false);
    expect(equalsIgnoringAsciiCase('a[', 'a{')).toBe(false);
  });
});

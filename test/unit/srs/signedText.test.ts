import { signedTextOf } from '../../../lib/srs';

describe('signedTextOf', () => {
  const signed = 'uhsender.testalice';

  it.each([
    'SRS0=OGeg=UH=sender.test=alice@example.org',
    'srs0-ogeg=uh=Sender.Test=ALICE@EXAMPLE.ORG',
    'SRS0+OGe=UH=sender.test=alice@example.org',
    'SRS0=a+/b=UH=sender.test=alice@example.org',
    'SRS0=a-_b=UH=sender.test=alice@other.test',
  ])('is what the hash signs, lower-cased, whatever the spelling and hash: %s', (address) => {
    expect(signedTextOf(address)).toBe(signed);
  });

  it('is the same for an SRS1 address that signs the same text (one hash verifies both)', () => {
    expect(signedTextOf('SRS1=OGeg=UHsender.test=alice@example.org')).toBe(signed);
  });

  it('keeps the fields of SRS1', () => {
    expect(signedTextOf('SRS1=abcd=Hop.test==HHHH=TT=orig.test=bob@example.org')).toBe('hop.test=hhhh=tt=orig.test=bob');
  });

  it.each(['alice@example.org', 'SRS0=abcd@example.org', 'SRS0=abcd=UH=sender.test=alice', 'SRS1=abcd=hop.test@example.org'])(
    'is null for %s, which is no parsable SRS address',
    (address) => {
      expect(signedTextOf(address)).toBeNull();
    },
  );
});

import { createSrs, type SrsInit } from '../../../lib/srs';
import { secret } from './fixtures';

const secrets = [secret('tops3cr3t')];

describe('createSrs options', () => {
  test('defaults are those of Mail::SRS', () => {
    const { options } = createSrs({ secrets });
    expect(options).toMatchObject({ hashLength: 4, hashMin: 4, maxAgeDays: 21, separator: '=', hashAlphabet: 'base64', now: Date.now });
  });

  test('hashMin follows hashLength unless given', () => {
    expect(createSrs({ secrets, hashLength: 8 }).options.hashMin).toBe(8);
    expect(createSrs({ secrets, hashLength: 8, hashMin: 6 }).options.hashMin).toBe(6);
  });

  test('the secrets are copied, so the caller cannot swap them later', () => {
    const mine = [secret('a')];
    const { options } = createSrs({ secrets: mine });
    mine.push(secret('b'));
    expect(options.secrets).toHaveLength(1);
  });

  test.each<[string, SrsInit]>([
    ['no secret', { secrets: [] }],
    ['an empty secret', { secrets: [Buffer.alloc(0)] }],
    ['hashLength 0', { secrets, hashLength: 0 }],
    ['hashLength 28', { secrets, hashLength: 28 }],
    ['a fractional hashLength', { secrets, hashLength: 4.5 }],
    ['hashMin above hashLength', { secrets, hashLength: 4, hashMin: 5 }],
    ['hashMin 0', { secrets, hashMin: 0 }],
    ['a negative maxAgeDays', { secrets, maxAgeDays: -1 }],
    ['maxAgeDays 1024', { secrets, maxAgeDays: 1024 }],
    ['separator _', { secrets, separator: '_' as never }],
    ['an unknown alphabet', { secrets, hashAlphabet: 'base32' as never }],
  ])('%s throws a RangeError', (_what, init) => {
    expect(() => createSrs(init)).toThrow(RangeError);
  });
});

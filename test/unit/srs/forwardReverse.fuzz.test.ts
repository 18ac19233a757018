import fc from 'fast-check';
import { createSrs, isSrsLocalPart, type Srs, type SrsErrorCode, type SrsInit, type SrsResult } from '../../../lib/srs';
import { describeWithPerlSrs } from '../../support/withOptionalTools';
import { runPerlSrs, type PerlRequest } from './perlSrsBatch';
import { fuzzParameters, fuzzTimeoutMs } from '../../support/fuzzSettings';

const SECRET = 'fuzz-secret-one';
const OLD_SECRET = 'fuzz-secret-retired';
const ALIAS = 'example.org';
const NOW_MS = Date.UTC(2025, 5, 15, 12, 0, 0);
const MS_PER_DAY = 86_400_000;
const KNOWN_CODES: ReadonlySet<SrsErrorCode> = new Set(['not-srs', 'malformed', 'bad-hash', 'expired']);

function ourSrs(overrides: Partial<SrsInit> = {}): Srs {
  return createSrs({ secrets: [Buffer.from(SECRET), Buffer.from(OLD_SECRET)], now: () => NOW_MS, ...overrides });
}

/** Mail::SRS lower-cases A-Z only, and the hash binds nothing more than that. */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

function expectTypedResult(result: SrsResult): void {
  if (result.ok) {
    expect(typeof result.value).toBe('string');
    return;
  }
  expect(KNOWN_CODES.has(result.error.code)).toBe(true);
  expect(result.error.message.length).toBeGreaterThan(0);
}

function addressOf(result: SrsResult): string {
  if (!result.ok) throw new Error(`expected an address, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

// Everything RFC 5321 allows in a dot-atom local part, plus what SMTPUTF8 brings.
const LOCAL_CHARS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...`!#$%&'*+-/=?^_\`{|}~.`,
  'é',
  'Ö',
  'ß',
  '日',
];
const localPartArb = fc
  .string({ unit: fc.constantFrom(...LOCAL_CHARS), minLength: 1, maxLength: 64 })
  .filter((local) => !isSrsLocalPart(local));
const domainArb = fc.mixedCase(fc.domain()).filter((domain) => lowerAscii(domain) !== ALIAS);
const addressArb = fc.tuple(localPartArb, domainArb).map(([local, domain]) => `${local}@${domain}`);

const optionsArb = fc.record({
  separator: fc.constantFrom('=' as const, '+' as const, '-' as const),
  hashAlphabet: fc.constantFrom('base64' as const, 'base64url' as const),
  hashLength: fc.integer({ min: 4, max: 27 }),
});

// Strings shaped like SRS addresses, so the parser's deeper branches see hostile input too.
const srsShapedArb = fc
  .tuple(
    fc.constantFrom('SRS0', 'SRS1', 'srs0', 'sRs1', 'SRS2', 'SRS', ''),
    fc.constantFrom('=', '+', '-', '_', '', '=='),
    fc.array(fc.string({ unit: fc.constantFrom(...'AZ27az+/-_=.@éx'), maxLength: 12 }), { maxLength: 6 }),
    fc.option(fc.string({ unit: fc.constantFrom(...'ab.-@='), maxLength: 12 })),
  )
  .map(([tag, separator, fields, domain]) => `${tag}${separator}${fields.join('=')}${domain === null ? '' : `@${domain}`}`);
const anyInputArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  srsShapedArb,
  addressArb,
);

describe('SRS fuzz: any input', () => {
  const srs = ourSrs();

  test(
    'reverse and forward never throw and fail only with known codes',
    () => {
      fc.assert(
        fc.property(anyInputArb, (input) => {
          expectTypedResult(srs.reverse(input));
          expectTypedResult(srs.forward(input, ALIAS));
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('SRS fuzz: round trips', () => {
  test(
    'reverse(forward(x)) gives x back, for every separator, alphabet and hash length',
    () => {
      fc.assert(
        fc.property(addressArb, optionsArb, (address, options) => {
          const srs = ourSrs(options);
          const forwarded = addressOf(srs.forward(address, ALIAS));
          expect(forwarded).toMatch(/^SRS0[=+-]/);
          expect(addressOf(srs.reverse(forwarded))).toBe(address);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'forwarding an SRS0 gives an SRS1 that reverses to that SRS0, also after a second forwarder',
    () => {
      const firstHop = createSrs({ secrets: [Buffer.from('first-hop-secret')], now: () => NOW_MS });
      const secondHop = createSrs({ secrets: [Buffer.from('second-hop-secret')], now: () => NOW_MS });
      fc.assert(
        fc.property(addressArb, domainArb, domainArb, optionsArb, (address, hop, otherHop, options) => {
          const srs = ourSrs(options);
          const srs0 = addressOf(firstHop.forward(address, hop));
          const direct = addressOf(srs.forward(srs0, ALIAS));
          expect(direct).toMatch(/^SRS1[=+-]/);
          expect(addressOf(srs.reverse(direct))).toBe(srs0);

          const viaOther = addressOf(srs.forward(addressOf(secondHop.forward(srs0, otherHop)), ALIAS));
          expect(addressOf(srs.reverse(viaOther))).toBe(srs0);
        }),
        fuzzParameters(0.5),
      );
    },
    fuzzTimeoutMs(0.5),
  );

  test(
    'a stamp is accepted from 0 to 21 days old (modulo the 1024-day wrap) and expired otherwise',
    () => {
      fc.assert(
        fc.property(addressArb, fc.integer({ min: -40, max: 2100 }), fc.nat(MS_PER_DAY - 1), (address, days, ms) => {
          const forwarded = addressOf(ourSrs().forward(address, ALIAS));
          const later = NOW_MS + days * MS_PER_DAY + ms;
          const ageDays = Math.floor(later / MS_PER_DAY) - Math.floor(NOW_MS / MS_PER_DAY);
          const result = ourSrs({ now: () => later }).reverse(forwarded);
          if ((((ageDays % 1024) + 1024) % 1024) <= 21) {
            expect(addressOf(result)).toBe(address);
          } else {
            expect(result).toMatchObject({ ok: false, error: { code: 'expired' } });
          }
        }),
        fuzzParameters(0.5),
      );
    },
    fuzzTimeoutMs(0.5),
  );
});

/** Where the fields of `SRS0=HASH=TT=domain=local@alias` start and end. */
function srs0Fields(address: string): { hash: [number, number]; stamp: [number, number]; domain: [number, number] } {
  const hashEnd = address.indexOf('=', 5);
  const stampEnd = address.indexOf('=', hashEnd + 1);
  const domainEnd = address.indexOf('=', stampEnd + 1);
  return { hash: [5, hashEnd], stamp: [hashEnd + 1, stampEnd], domain: [stampEnd + 1, domainEnd] };
}

/** Hash characters that compare equal: case is ignored and both base64 alphabets mean the same. */
function hashCharKey(char: string): string {
  return char.toLowerCase().replace('-', '+').replace('_', '/');
}

const MUTATION_CHARS = [...'AbZz09+/-_=.@2Q', 'é', '\u0000', ' '];

describe('SRS fuzz: mutated addresses never reverse to another address', () => {
  const srs = ourSrs();

  test(
    'any one-character edit: a typed failure, or the same address up to ASCII case',
    () => {
      const editArb = fc.record({
        kind: fc.constantFrom('replace', 'insert', 'delete'),
        position: fc.nat(),
        char: fc.constantFrom(...MUTATION_CHARS),
      });
      fc.assert(
        fc.property(addressArb, editArb, (address, edit) => {
          const forwarded = addressOf(srs.forward(address, ALIAS));
          const at = edit.position % forwarded.length;
          const keep = edit.kind === 'insert' ? at : at + 1;
          const inserted = edit.kind === 'delete' ? '' : edit.char;
          const mutated = forwarded.slice(0, at) + inserted + forwarded.slice(keep);
          const result = srs.reverse(mutated);
          expectTypedResult(result);
          if (result.ok) expect(lowerAscii(result.value)).toBe(lowerAscii(address));
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  test.each(['hash', 'stamp', 'domain'] as const)(
    'a flipped character of the %s is refused as bad-hash or malformed',
    (field) => {
      fc.assert(
        fc.property(addressArb, fc.nat(), fc.constantFrom(...MUTATION_CHARS), (address, position, char) => {
          const forwarded = addressOf(srs.forward(address, ALIAS));
          const [start, end] = srs0Fields(forwarded)[field];
          const at = start + (position % (end - start));
          const original = forwarded.charAt(at);
          const equivalent = field === 'hash' ? hashCharKey(char) === hashCharKey(original) : lowerAscii(char) === lowerAscii(original);
          fc.pre(!equivalent);
          const result = srs.reverse(forwarded.slice(0, at) + char + forwarded.slice(at + 1));
          expect(result.ok).toBe(false);
          if (!result.ok) expect(['bad-hash', 'malformed']).toContain(result.error.code);
        }),
        fuzzParameters(0.5),
      );
    },
    fuzzTimeoutMs(0.5),
  );

  test('an address signed with a secret we do not hold is bad-hash', () => {
    const stranger = createSrs({ secrets: [Buffer.from('not-ours')], now: () => NOW_MS });
    fc.assert(
      fc.property(addressArb, (address) => {
        expect(srs.reverse(addressOf(stranger.forward(address, ALIAS)))).toMatchObject({ ok: false, error: { code: 'bad-hash' } });
      }),
      fuzzParameters(0.25),
    );
  });
});

describeWithPerlSrs('SRS fuzz: agreement with Perl Mail::SRS', () => {
  const PERL_SAMPLE = 50;

  test('the same forward result, and each reverses what the other forwarded', () => {
    const srs = ourSrs();
    const addresses = fc.sample(addressArb, { seed: fuzzParameters().seed, numRuns: PERL_SAMPLE });
    const firstHop = createSrs({ secrets: [Buffer.from('first-hop-secret')], now: () => NOW_MS });
    const srs0Senders = addresses.slice(0, 10).map((address) => addressOf(firstHop.forward(address, 'hop.test')));
    const senders = [...addresses, ...srs0Senders];
    const ours = senders.map((sender) => addressOf(srs.forward(sender, ALIAS)));

    const requests: PerlRequest[] = [
      ...senders.map((address) => ({ op: 'forward' as const, address, alias: ALIAS })),
      ...ours.map((address) => ({ op: 'reverse' as const, address })),
    ];
    const answers = runPerlSrs([SECRET, OLD_SECRET], NOW_MS / 1000, requests);
    const perlForwarded = answers.slice(0, senders.length);
    const perlReversed = answers.slice(senders.length);

    expect(perlForwarded).toEqual(ours.map((address) => ({ ok: true, address })));
    expect(perlReversed).toEqual(senders.map((address) => ({ ok: true, address })));
    for (const [i, answer] of perlForwarded.entries()) {
      if (answer.ok) expect(addressOf(srs.reverse(answer.address))).toBe(senders[i]);
    }
  });
});

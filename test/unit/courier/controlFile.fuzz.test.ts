import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROL_FILE_LIMITS, formatControlFile, parseControlFile } from '../../../lib/courier/queue/controlFile';
import { withSender } from '../../../lib/courier/queue/controlFileEdit';
import { applyRewrite, readControlFile } from '../../../lib/courier/queue/controlFileIo';
import { envelopeOf } from '../../../lib/courier/queue/envelope';
import { findQueueDirectory, type QueueDirectory } from '../../../lib/courier/queue/queueDirectory';
import type { ControlFile, ControlFileErrorCode, ControlFileResult } from '../../../lib/courier/queue';
import { fuzzParameters, fuzzTimeoutMs } from '../../support/fuzzSettings';

const KNOWN_CODES: ReadonlySet<ControlFileErrorCode> = new Set([
  'not-found',
  'unreadable',
  'unwritable',
  'io-error',
  'too-large',
  'truncated',
  'nul-byte',
  'no-sender',
  'duplicate-sender',
  'bad-encoding',
]);
const NEWLINE = 0x0a;
const SAMPLE = readFileSync(join(__dirname, '../../fixtures/courier/single-alias-to-remote.ctl'));

function parsedFile(result: ControlFileResult): ControlFile {
  if (!result.ok) throw new Error(`expected a parse, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A failure has a known code and a message; a parse formats back to the same bytes and yields an envelope. */
function expectTypedParse(bytes: Buffer, result: ControlFileResult): void {
  if (!result.ok) {
    expect(KNOWN_CODES.has(result.error.code)).toBe(true);
    expect(result.error.message.length).toBeGreaterThan(0);
    return;
  }
  expect(formatControlFile(result.value).equals(bytes)).toBe(true);
  expect(() => envelopeOf([result.value])).not.toThrow();
}

function lines(...records: (string | Buffer)[]): Buffer {
  return Buffer.concat(records.flatMap((record) => [Buffer.from(record), Buffer.from('\n')]));
}

// Addresses as SMTP brings them: ASCII specials, SMTPUTF8 letters, SRS forms.
const addressArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019.-+=@_', 'é', '日'), maxLength: 40 });
const bytesWithoutBreaksArb = fc
  .uint8Array({ maxLength: 60 })
  .map((bytes) => Buffer.from(bytes.filter((byte) => byte !== NEWLINE && byte !== 0)));
// Every record type Courier writes except `s`, with any bytes (non-address records need not be UTF-8).
const otherRecordArb = fc
  .tuple(fc.constantFrom(...'fetMNOuEpWTISFDCAXx8UVvmi'), bytesWithoutBreaksArb)
  .map(([type, body]) => Buffer.concat([Buffer.from(type), body]));
const recipientRecordArb = fc
  .tuple(fc.constantFrom('r', 'R'), addressArb)
  .map(([type, address]) => Buffer.from(type + address));
const recordArb = fc.oneof(otherRecordArb, recipientRecordArb, fc.constant(Buffer.alloc(0)));
const validFileArb = fc
  .tuple(addressArb, fc.array(recordArb, { maxLength: 40 }))
  .map(([sender, records]) => lines(`s${sender}`, ...records));

describe('control file fuzz: valid files', () => {
  test(
    'parse then format gives the same bytes',
    () => {
      fc.assert(
        fc.property(validFileArb, (bytes) => {
          const result = parseControlFile(bytes);
          expect(result.ok).toBe(true);
          expectTypedParse(bytes, result);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a new sender changes the first line only',
    () => {
      fc.assert(
        fc.property(validFileArb, addressArb, (bytes, sender) => {
          const before = parsedFile(parseControlFile(bytes));
          const after = parsedFile(parseControlFile(formatControlFile(withSender(before, sender))));
          expect(after.records[0]?.toString('utf8')).toBe(`s${sender}`);
          expect(after.records.slice(1)).toEqual(before.records.slice(1));
          expect(envelopeOf([after]).recipients).toEqual(envelopeOf([before]).recipients);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('control file fuzz: broken files give a typed error, never a throw', () => {
  test(
    'arbitrary bytes',
    () => {
      const junkArb = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
        fc.tuple(validFileArb, fc.uint8Array({ maxLength: 64 })).map(([file, tail]) => Buffer.concat([file, tail])),
      );
      fc.assert(
        fc.property(junkArb, (bytes) => expectTypedParse(bytes, parseControlFile(bytes))),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a file cut short: truncated, unless the cut falls on a line end',
    () => {
      const cutArb = validFileArb.chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat(bytes.length - 1)));
      fc.assert(
        fc.property(cutArb, ([bytes, length]) => {
          const cut = bytes.subarray(0, length);
          const result = parseControlFile(cut);
          expectTypedParse(cut, result);
          const expected = length === 0 ? 'no-sender' : cut[length - 1] === NEWLINE ? 'ok' : 'truncated';
          expect(result.ok ? 'ok' : result.error.code).toBe(expected);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a NUL byte anywhere is nul-byte',
    () => {
      const withNulArb = validFileArb.chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat(bytes.length)));
      fc.assert(
        fc.property(withNulArb, ([bytes, at]) => {
          const mutated = Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
          expect(parseControlFile(mutated)).toMatchObject({ ok: false, error: { code: 'nul-byte' } });
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'without its s line a file is no-sender',
    () => {
      fc.assert(
        fc.property(validFileArb, (bytes) => {
          const withoutSender = bytes.subarray(bytes.indexOf(NEWLINE) + 1);
          const first = withoutSender[0];
          fc.pre(first !== NEWLINE);
          expect(parseControlFile(withoutSender)).toMatchObject({ ok: false, error: { code: 'no-sender' } });
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  // Lone continuation byte, truncated sequence, overlong '/', UTF-16 surrogate, beyond U+10FFFF.
  const INVALID_UTF8 = [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff]];

  test(
    'non-UTF-8 bytes: bad-encoding in an address record, kept byte for byte elsewhere',
    () => {
      fc.assert(
        fc.property(
          validFileArb,
          fc.constantFrom(...INVALID_UTF8),
          fc.constantFrom('s', 'r', 'R', 'f', 'M', 'I', 'Z'),
          (bytes, invalid, type) => {
            const record = Buffer.concat([Buffer.from(`${type}ab`), Buffer.from(invalid), Buffer.from('@x.test')]);
            const mutated =
              type === 's'
                ? lines(record, bytes.subarray(bytes.indexOf(NEWLINE) + 1, -1))
                : Buffer.concat([bytes, lines(record)]);
            const result = parseControlFile(mutated);
            expectTypedParse(mutated, result);
            expect(result.ok ? 'ok' : result.error.code).toBe('sRr'.includes(type) ? 'bad-encoding' : 'ok');
          },
        ),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('control file fuzz: extremes', () => {
  function withRecipients(count: number): Buffer {
    const recipients = Array.from({ length: count }, (_, i) => [`rperson${i}@remote.test`, `Ralias${i}@example.org`, 'N']);
    return lines('salice@sender.test', 'usmtp', ...recipients.flat(), 'E1795638182');
  }

  test('10,000 recipients parse, keep their order and take a new sender', () => {
    const bytes = withRecipients(10_000);
    const file = parsedFile(parseControlFile(bytes));
    const recipients = envelopeOf([file]).recipients;
    expect(recipients).toHaveLength(10_000);
    expect(recipients[9_999]).toMatchObject({ index: 9_999, address: 'person9999@remote.test', originalRecipient: 'alias9999@example.org' });
    const rewritten = formatControlFile(withSender(file, 'SRS0=abcd=AB=sender.test=alice@example.org'));
    // Buffer.equals: jest's toEqual walks half a megabyte byte by byte.
    expect(rewritten.subarray(rewritten.indexOf(NEWLINE)).equals(bytes.subarray(bytes.indexOf(NEWLINE)))).toBe(true);
  });

  test('a 1 MB line is too-large', () => {
    const bytes = lines('salice@sender.test', `r${'a'.repeat(1024 * 1024)}@remote.test`, 'N');
    expect(parseControlFile(bytes)).toMatchObject({ ok: false, error: { code: 'too-large' } });
  });

  test('a 1 MB sender without a line end is refused, not read as a sender', () => {
    const bytes = Buffer.from(`s${'a'.repeat(1024 * 1024)}`);
    expect(parseControlFile(bytes).ok).toBe(false);
  });

  test('a file past the size limit is too-large, even with short lines', () => {
    const line = `X${'y'.repeat(1000)}`;
    const count = Math.ceil(DEFAULT_CONTROL_FILE_LIMITS.maxBytes / line.length) + 1;
    const bytes = lines('salice@sender.test', ...Array.from({ length: count }, () => line));
    expect(parseControlFile(bytes)).toMatchObject({ ok: false, error: { code: 'too-large' } });
  });
});

describe('control file fuzz: on disk', () => {
  let dir: string;
  let queue: QueueDirectory;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'srsfilter-ctl-fuzz-'));
    const found = await findQueueDirectory(dir);
    if (!found.ok) throw new Error(found.error.message);
    queue = found.value;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(
    'reading broken files gives the same typed answer as parsing and leaves them byte-identical',
    async () => {
      const mutatedArb = fc
        .tuple(fc.nat(SAMPLE.length), fc.nat(SAMPLE.length), fc.uint8Array({ maxLength: 8 }))
        .map(([at, removed, inserted]) =>
          Buffer.concat([SAMPLE.subarray(0, at), Buffer.from(inserted), SAMPLE.subarray(Math.min(SAMPLE.length, at + removed))]),
        );
      let seq = 0;
      await fc.assert(
        fc.asyncProperty(mutatedArb, async (bytes) => {
          const path = join(dir, `ctl-${seq++}`);
          writeFileSync(path, bytes);
          const result = await readControlFile(path, queue);
          expectTypedParse(bytes, result);
          expect(result).toEqual(parseControlFile(bytes));
          expect(readFileSync(path).equals(bytes)).toBe(true);
          rmSync(path);
        }),
        fuzzParameters(0.1),
      );
    },
    fuzzTimeoutMs(0.1),
  );

  test('a file over the size limit is refused without reading it whole', async () => {
    const path = join(dir, 'huge');
    writeFileSync(path, Buffer.alloc(DEFAULT_CONTROL_FILE_LIMITS.maxBytes * 2, 'a'));
    expect(await readControlFile(path, queue)).toMatchObject({ ok: false, error: { code: 'too-large' } });
  });

  test('a missing file and a directory give not-found and unreadable', async () => {
    expect(await readControlFile(join(dir, 'missing'), queue)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await readControlFile(dir, queue)).toMatchObject({ ok: false, error: { code: 'unreadable' } });
  });

  test(
    'an in-place rewrite keeps the inode and every other byte',
    async () => {
      let seq = 0;
      await fc.assert(
        fc.asyncProperty(validFileArb, addressArb, async (bytes, sender) => {
          const wait = seq % 2 === 0 ? 'blocking' : 'pooled';
          const path = join(dir, `rewrite-${seq++}`);
          writeFileSync(path, bytes);
          const inode = statSync(path).ino;
          const file = parsedFile(await readControlFile(path, queue));
          expect(await applyRewrite([{ path, file }], { sender }, wait, queue)).toMatchObject({ ok: true });
          const after = readFileSync(path);
          expect(statSync(path).ino).toBe(inode);
          expect(after.subarray(0, after.indexOf(NEWLINE)).toString('utf8')).toBe(`s${sender}`);
          expect(after.subarray(after.indexOf(NEWLINE))).toEqual(bytes.subarray(bytes.indexOf(NEWLINE)));
          rmSync(path);
        }),
        fuzzParameters(0.05),
      );
    },
    fuzzTimeoutMs(0.05),
  );
});

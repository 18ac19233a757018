import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { formatControlFile, parseControlFile } from '../../../../lib/courier/queue/controlFile';
import type { ControlFile, ControlFileErrorCode } from '../../../../lib/courier/queue';
import { COURIER_FIXTURES, readFixture } from '../../../../kit/repo';

function parsed(bytes: Buffer): ControlFile {
  const result = parseControlFile(bytes);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function errorCode(bytes: Buffer, limits?: { maxBytes: number; maxLineBytes: number }): ControlFileErrorCode | 'ok' {
  const result = parseControlFile(bytes, limits);
  return result.ok ? 'ok' : result.error.code;
}

/** Every control file captured from a real Courier, before and after a rewrite. */
const CONTROL_FILE_NAMES = readdirSync(COURIER_FIXTURES).filter((name) => name.endsWith('.ctl'));

describe('parseControlFile / formatControlFile', () => {
  it('covers all 16 captured samples', () => {
    expect(CONTROL_FILE_NAMES).toHaveLength(16);
  });

  it.each(CONTROL_FILE_NAMES)('round-trips %s byte for byte', (name) => {
    const bytes = readFixture(name);
    expect(formatControlFile(parsed(bytes)).equals(bytes)).toBe(true);
  });

  it('keeps one record per line, type byte first, without the newline', () => {
    const file = parsed(readFixture('single-alias-to-remote.ctl'));
    expect(file.records.map((r) => r.toString('latin1'))).toEqual([
      'salice@sender.test',
      'fdns; vm ([::ffff:127.0.0.2])',
      'e',
      't',
      'M0000000000164054.000000006B072786.000046B0',
      'rsomeone@remote.test',
      'Rfwd@example.org',
      'N',
      'OTCPREMOTEIP=::ffff:127.0.0.2',
      'usmtp',
      'E1795638182',
      'p1795659782',
      'W1795645382',
      'T',
    ]);
  });

  it('accepts the null sender', () => {
    expect(parsed(readFixture('srs-bounce-external-nullsender.ctl')).records[0]?.toString()).toBe('s');
  });

  it('keeps unknown records, invalid UTF-8 outside addresses, CR and empty lines as they are', () => {
    const bytes = Buffer.concat([
      Buffer.from('salice@sender.test\n\nZunknown record\r\nf'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\nrbob@example.org\nR\nN\n'),
    ]);
    expect(formatControlFile(parsed(bytes)).equals(bytes)).toBe(true);
  });

  it('accepts UTF-8 addresses (SMTPUTF8)', () => {
    const file = parsed(Buffer.from('sjosé@exämple.org\nrbob@пример.испытание\nR\nN\n'));
    expect(file.records).toHaveLength(4);
  });

  it.each<[string, Buffer, ControlFileErrorCode]>([
    ['an empty file', Buffer.alloc(0), 'no-sender'],
    ['a first record that is not s', Buffer.from('fdns; x\nsalice@sender.test\n'), 'no-sender'],
    ['an empty first line', Buffer.from('\nsalice@sender.test\n'), 'no-sender'],
    ['a second s record', Buffer.from('salice@sender.test\nrbob@example.org\nsmallory@evil.test\n'), 'duplicate-sender'],
    ['a last line without newline', Buffer.from('salice@sender.test\nrbob@example.org'), 'truncated'],
    ['a NUL byte', Buffer.from('salice@sender.test\nrbob\0@example.org\n'), 'nul-byte'],
    ['a sender that is not UTF-8', Buffer.concat([Buffer.from('salice'), Buffer.from([0xe9]), Buffer.from('@x.test\n')]), 'bad-encoding'],
    ['a recipient that is not UTF-8', Buffer.concat([Buffer.from('s\nr'), Buffer.from([0xc3, 0x28]), Buffer.from('@x.test\n')]), 'bad-encoding'],
    ['an R record that is not UTF-8', Buffer.concat([Buffer.from('s\nrbob@x.test\nR'), Buffer.from([0xff]), Buffer.from('\n')]), 'bad-encoding'],
    ['a CR inside an address', Buffer.from('salice@sender.test\r\nrbob@example.org\n'), 'bad-encoding'],
  ])('rejects %s', (_what, bytes, code) => {
    expect(errorCode(bytes)).toBe(code);
  });

  it('rejects a file over maxBytes, and accepts one exactly at it', () => {
    const bytes = Buffer.from('salice@sender.test\nrbob@example.org\n');
    expect(errorCode(bytes, { maxBytes: bytes.length - 1, maxLineBytes: 100 })).toBe('too-large');
    expect(errorCode(bytes, { maxBytes: bytes.length, maxLineBytes: 100 })).toBe('ok');
  });

  it('rejects a line over maxLineBytes, and accepts one exactly at it', () => {
    const bytes = Buffer.from('s0123456789\n');
    expect(errorCode(bytes, { maxBytes: 100, maxLineBytes: 10 })).toBe('too-large');
    expect(errorCode(bytes, { maxBytes: 100, maxLineBytes: 11 })).toBe('ok');
  });

  it('rejects a 1 MB line with the default limits', () => {
    const bytes = Buffer.concat([Buffer.from('salice@sender.test\nO'), Buffer.alloc(1024 * 1024, 'x'), Buffer.from('\n')]);
    const result = parseControlFile(bytes);
    expect(result).toEqual({ ok: false, error: { code: 'too-large', message: expect.stringContaining('line longer than') } });
  });

  it('rejects a 5 MB file with the default limits', () => {
    const line = Buffer.from(`O${'x'.repeat(1000)}\n`);
    const bytes = Buffer.concat([Buffer.from('s\n'), ...Array<Buffer>(5 * 1024).fill(line)]);
    expect(errorCode(bytes)).toBe('too-large');
  });

  it('round-trips any file of a sender and records of non-address types', () => {
    const type = fc.constantFrom(...'fetMNOuEpWTISZ');
    const body = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0)));
    const record = fc.tuple(type, body).map(([t, b]) => Buffer.concat([Buffer.from(t), b, Buffer.from('\n')]));
    const sender = fc.string({ maxLength: 30 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
    fc.assert(
      fc.property(sender, fc.array(record, { maxLength: 20 }), (address, records) => {
        const bytes = Buffer.concat([Buffer.from(`s${address}\n`), ...records]);
        expect(formatControlFile(parsed(bytes)).equals(bytes)).toBe(true);
      }),
    );
  });
});

import { createRequestReader, type RequestLimits, type RequestState } from '../../../filter/request';

const QUEUE = '/var/lib/courier/tmp';
const LIMITS: RequestLimits = { maxLineBytes: 64, maxRequestBytes: 256, maxControlFiles: 3 };

/** Feeds the chunks in order and returns the state after each. */
function read(chunks: readonly (string | Buffer)[], limits: RequestLimits = LIMITS): RequestState[] {
  const reader = createRequestReader(QUEUE, limits);
  return chunks.map((chunk) => reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
}

const last = (states: RequestState[]): RequestState | undefined => states[states.length - 1];
const invalid = (code: string, message: string): RequestState => ({ state: 'invalid', code, message }) as RequestState;

describe('a complete request', () => {
  test('is the data file, then the control files in order, ended by an empty line', () => {
    expect(read([`${QUEUE}/1/D1\n${QUEUE}/1/C1\n${QUEUE}/1/C2\n\n`])).toEqual([
      { state: 'complete', paths: { dataFile: `${QUEUE}/1/D1`, controlFiles: [`${QUEUE}/1/C1`, `${QUEUE}/1/C2`] } },
    ]);
  });

  test('may arrive a byte at a time, a line split anywhere', () => {
    const text = `${QUEUE}/1/D1\n${QUEUE}/1/C1\n\n`;
    const states = read([...text].map((character) => character));
    expect(states.slice(0, -1).every((state) => state.state === 'incomplete')).toBe(true);
    expect(last(states)).toEqual({ state: 'complete', paths: { dataFile: `${QUEUE}/1/D1`, controlFiles: [`${QUEUE}/1/C1`] } });
  });

  test('names a repeated control file once, in the place it first came', () => {
    expect(last(read([`${QUEUE}/1/D1\n${QUEUE}/1/C2\n${QUEUE}/1/C1\n${QUEUE}/1/C2\n\n`]))).toEqual({
      state: 'complete',
      paths: { dataFile: `${QUEUE}/1/D1`, controlFiles: [`${QUEUE}/1/C2`, `${QUEUE}/1/C1`] },
    });
  });

  test('keeps its answer: bytes after it change nothing', () => {
    const reader = createRequestReader(QUEUE, LIMITS);
    const complete = reader.push(Buffer.from(`${QUEUE}/1/D1\n${QUEUE}/1/C1\n\n`));
    expect(reader.push(Buffer.from('garbage\n\n'))).toBe(complete);
  });

  test('accepts a queue directory given with a trailing slash', () => {
    const reader = createRequestReader(`${QUEUE}/`, LIMITS);
    expect(reader.push(Buffer.from(`${QUEUE}/1/D1\n${QUEUE}/1/C1\n\n`)).state).toBe('complete');
  });
});

describe('an incomplete request', () => {
  test.each([
    ['nothing yet', ''],
    ['half a line', `${QUEUE}/1/D`],
    ['the data file only', `${QUEUE}/1/D1\n`],
    ['no empty line yet', `${QUEUE}/1/D1\n${QUEUE}/1/C1\n`],
  ])('%s', (_name, text) => {
    expect(read([text])).toEqual([{ state: 'incomplete' }]);
  });
});

describe('an invalid request is refused at its first bad line', () => {
  test.each([
    ['an empty request', '\n', invalid('empty', 'empty request')],
    ['no control file', `${QUEUE}/1/D1\n\n`, invalid('no-control-file', 'no control file path')],
    ['a relative path', 'tmp/1/D1\n', invalid('not-a-path', 'path is not absolute')],
    ['a path with ..', `${QUEUE}/../../etc/passwd\n`, invalid('not-a-path', 'path is not normalised')],
    ['a doubled slash', `${QUEUE}//1/D1\n`, invalid('not-a-path', 'path is not normalised')],
    ['a path outside the queue', '/etc/passwd\n', invalid('outside-queue', "path is outside Courier's queue")],
    ['a sibling of the queue with the same prefix', `${QUEUE}x/1/D1\n`, invalid('outside-queue', "path is outside Courier's queue")],
    ['the queue directory itself', `${QUEUE}\n`, invalid('outside-queue', "path is outside Courier's queue")],
    ['a CR before the newline', `${QUEUE}/1/D1\r\n`, invalid('not-a-path', 'control character in path')],
    ['a DEL', `${QUEUE}/1/D\x7f\n`, invalid('not-a-path', 'control character in path')],
    ['a NUL', `${QUEUE}/1/D\x00\n`, invalid('not-a-path', 'control character in path')],
  ])('%s', (_name, text, expected) => {
    expect(read([text])).toEqual([expected]);
  });

  test('bytes that are not UTF-8', () => {
    expect(read([Buffer.concat([Buffer.from(`${QUEUE}/`), Buffer.from([0xff, 0x0a])])])).toEqual([
      invalid('not-a-path', 'path is not UTF-8'),
    ]);
  });

  test('a bad control file after a good data file', () => {
    expect(read([`${QUEUE}/1/D1\n`, '/etc/shadow\n'])).toEqual([{ state: 'incomplete' }, invalid('outside-queue', "path is outside Courier's queue")]);
  });

  test('and keeps that answer', () => {
    const reader = createRequestReader(QUEUE, LIMITS);
    const refused = reader.push(Buffer.from('relative\n'));
    expect(reader.push(Buffer.from(`${QUEUE}/1/D1\n${QUEUE}/1/C1\n\n`))).toBe(refused);
  });
});

describe('limits', () => {
  const tooLong = invalid('line-too-long', 'line longer than 64 bytes');
  const lineOf = (bytes: number): string => `${QUEUE}/${'x'.repeat(bytes - QUEUE.length - 1)}`;

  test('a line of exactly maxLineBytes is read; one byte more is refused', () => {
    expect(lineOf(64)).toHaveLength(64);
    expect(read([`${lineOf(64)}\n${QUEUE}/1/C1\n\n`])).toEqual([
      { state: 'complete', paths: { dataFile: lineOf(64), controlFiles: [`${QUEUE}/1/C1`] } },
    ]);
    expect(read([`${lineOf(65)}\n`])).toEqual([tooLong]);
  });

  test('an overlong line is refused before its newline arrives, also when it comes in pieces', () => {
    expect(read([lineOf(65)])).toEqual([tooLong]);
    expect(read([lineOf(40), 'y'.repeat(25)])).toEqual([{ state: 'incomplete' }, tooLong]);
  });

  test('a request longer than maxRequestBytes is refused, even by the last chunk that would complete it', () => {
    const text = `${QUEUE}/1/D1\n${QUEUE}/1/C1\n\n`;
    const limits = { ...LIMITS, maxRequestBytes: text.length };
    expect(read([text], limits)[0]?.state).toBe('complete');
    expect(read([text], { ...limits, maxRequestBytes: text.length - 1 })).toEqual([
      invalid('request-too-long', `request longer than ${text.length - 1} bytes`),
    ]);
    expect(read([`${QUEUE}/1/D1\n`, `${QUEUE}/1/C1\n\n`], { ...limits, maxRequestBytes: text.length - 1 })).toEqual([
      { state: 'incomplete' },
      invalid('request-too-long', `request longer than ${text.length - 1} bytes`),
    ]);
  });

  test('more than maxControlFiles distinct control files are refused; repeats do not count', () => {
    const request = (names: string[]): string => `${QUEUE}/1/D1\n${names.map((name) => `${QUEUE}/1/${name}`).join('\n')}\n\n`;
    expect(last(read([request(['C1', 'C2', 'C3'])]))?.state).toBe('complete');
    expect(last(read([request(['C1', 'C2', 'C3', 'C1', 'C2', 'C3'])]))?.state).toBe('complete');
    expect(read([request(['C1', 'C2', 'C3', 'C4'])])).toEqual([invalid('too-many-control-files', 'more than 3 control files')]);
  });
});

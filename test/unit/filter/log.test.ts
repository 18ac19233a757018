import { createLogger, formatLogLine, type LineSink } from '../../../filter/log';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A sink that records each write and takes at most `take` bytes of it (all when undefined). */
function recordingSink(take?: () => number | undefined): { sink: LineSink; writes: string[] } {
  const writes: string[] = [];
  const sink: LineSink = (bytes) => {
    const taken = take?.() ?? bytes.length;
    writes.push(bytes.subarray(0, taken).toString('utf8'));
    return bytes.subarray(taken);
  };
  return { sink, writes };
}

test('the lines of one event loop turn go out in order with one write', async () => {
  const { sink, writes } = recordingSink();
  const log = createLogger('info', sink);
  log.info('one');
  log.error('two');
  expect(writes).toEqual([]);
  await nextTurn();
  expect(writes).toEqual(['INFO: one\nERR: two\n']);
});

test('lines under the level are dropped, and setLevel moves the level', async () => {
  const { sink, writes } = recordingSink();
  const log = createLogger('warn', sink);
  log.info('hidden');
  log.debug('hidden');
  log.warn('shown');
  log.setLevel('debug');
  log.debug('now shown');
  log.flush();
  expect(writes).toEqual(['WARN: shown\nDEBUG: now shown\n']);
});

test('flush writes at once, so a line logged before exit is not lost', () => {
  const { sink, writes } = recordingSink();
  const log = createLogger('info', sink);
  log.error('crashed');
  log.flush();
  expect(writes).toEqual(['ERR: crashed\n']);
});

test('what a stuck reader did not take is written again before later lines', async () => {
  const takes = [4, undefined];
  const { sink, writes } = recordingSink(() => takes.shift());
  const log = createLogger('info', sink);
  log.info('first');
  await nextTurn();
  log.info('second');
  log.flush();
  expect(writes).toEqual(['INFO', ': first\nINFO: second\n']);
});

test('control characters are escaped and long lines cut for courierlogger', () => {
  expect(formatLogLine('info', 'from=<a\nb@x>\x7f')).toBe('INFO: from=<a\\x0ab@x>\\x7f');
  const long = formatLogLine('warn', 'é'.repeat(400));
  expect(Buffer.byteLength(long)).toBeLessThanOrEqual(496);
  expect(long.endsWith(' [cut]')).toBe(true);
});

import { connectionCap, oncePerInterval, readOpenFileLimit } from '../../../filter/connectionCap';

describe('connectionCap', () => {
  it('takes --max-connections when the open-file limit leaves room for it', () => {
    expect(connectionCap(1000, 64, 524_288)).toEqual({ maxConnections: 1000 });
    expect(connectionCap(1000, 64, undefined)).toEqual({ maxConnections: 1000 });
  });

  it('stays under the open-file limit, keeping descriptors for the messages in flight', () => {
    expect(connectionCap(1000, 64, 1024)).toEqual({ maxConnections: 1024 - 64 - 64, openFileLimit: 1024 });
    expect(connectionCap(1000, 4, 128)).toEqual({ maxConnections: 60, openFileLimit: 128 });
  });

  it('never goes below one connection', () => {
    expect(connectionCap(1000, 64, 100)).toEqual({ maxConnections: 1, openFileLimit: 100 });
  });
});

describe('readOpenFileLimit', () => {
  const limits = (openFiles: string): string =>
    `Limit                     Soft Limit           Hard Limit           Units     \nMax processes             63704                63704                processes \n${openFiles}\nMax locked memory         8388608              8388608              bytes     \n`;

  it('reads the soft limit', () => {
    expect(readOpenFileLimit(() => limits('Max open files            1024                 524288               files     '))).toBe(1024);
  });

  it('is undefined when unlimited or unreadable', () => {
    expect(readOpenFileLimit(() => limits('Max open files            unlimited            unlimited            files     '))).toBeUndefined();
    expect(
      readOpenFileLimit(() => {
        throw Object.assign(new Error('no /proc'), { code: 'ENOENT' });
      }),
    ).toBeUndefined();
  });

  it('reads this process', () => {
    expect(readOpenFileLimit()).toBeGreaterThan(0);
  });
});

describe('oncePerInterval', () => {
  it('reports the first event at once, then at most once per interval with the count in between', () => {
    let time = 0;
    const reports: number[] = [];
    const event = oncePerInterval(1000, (unreported) => reports.push(unreported), () => time);
    event();
    event();
    event();
    expect(reports).toEqual([0]);
    time = 999;
    event();
    expect(reports).toEqual([0]);
    time = 1000;
    event();
    expect(reports).toEqual([0, 3]);
    time = 5000;
    event();
    expect(reports).toEqual([0, 3, 0]);
  });
});

import { binaryOf, isUtf8, rawArgs, rawEnv, textOf } from '../../../../cli/io/rawInput';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const nulTerminated = (...entries: string[]): Buffer => latin1(entries.map((entry) => `${entry}\0`).join(''));

describe('binary strings', () => {
  it('hold one character per byte and turn back into the same bytes', () => {
    expect(binaryOf('café')).toBe('caf\xc3\xa9');
    expect(textOf('caf\xc3\xa9')).toBe('café');
    expect(textOf('caf\xe9')).toBe('caf\ufffd');
    expect(isUtf8('caf\xc3\xa9')).toBe(true);
    expect(isUtf8('caf\xe9')).toBe(false);
  });
});

describe('rawArgs', () => {
  it('takes the arguments byte for byte from the end of the command line', () => {
    const cmdline = nulTerminated('/usr/bin/node', '--max-old-space-size=64', '/x/srsctl.js', '--secret', 's', 'caf\xe9@latin1.example');
    expect(rawArgs(['--secret', 's', 'caf\ufffd@latin1.example'], () => cmdline)).toEqual(['--secret', 's', 'caf\xe9@latin1.example']);
  });

  it("falls back to the arguments' UTF-8 bytes when the command line does not match them", () => {
    expect(rawArgs(['café'], () => nulTerminated('node', 'x.js', 'other'))).toEqual(['caf\xc3\xa9']);
    expect(rawArgs(['a'], () => { throw Object.assign(new Error('no /proc'), { code: 'ENOENT' }); })).toEqual(['a']);
  });

  it('keeps empty arguments', () => {
    expect(rawArgs(['', 'x'], () => nulTerminated('node', 's.js', '', 'x'))).toEqual(['', 'x']);
  });
});

describe('rawEnv', () => {
  const environ = nulTerminated('PATH=/usr/bin', 'SENDER=caf\xe9@latin1.example', 'EMPTY=');
  it('reads a variable byte for byte', () => {
    expect(rawEnv('SENDER', 'caf\ufffd@latin1.example', () => environ)).toBe('caf\xe9@latin1.example');
    expect(rawEnv('EMPTY', '', () => environ)).toBe('');
  });

  it('is undefined for an unset variable, and the UTF-8 bytes of one set since the start', () => {
    expect(rawEnv('RECIPIENT', undefined, () => environ)).toBeUndefined();
    expect(rawEnv('SENDER', 'bob@b.example', () => environ)).toBe('bob@b.example');
  });
});

import { parseAlias, parseCommandLine, parseInteger, parseSeparator } from '../../../../cli/io/commandLine';

const OPTIONS = {
  secret: { type: 'string', multiple: true },
  separator: { type: 'string' },
  reverse: { type: 'boolean' },
} as const;

function parse(args: readonly string[]) {
  const result = parseCommandLine(args, OPTIONS);
  return result.ok ? { values: { ...result.value.values }, positionals: result.value.positionals } : result;
}

describe('parseCommandLine (Getopt::Long readings on node:util parseArgs)', () => {
  it('takes the word after a string option as its value even when it starts with a dash', () => {
    expect(parse(['--secret', '-x', '--separator', '-', 'a@b'])).toEqual({
      values: { secret: ['-x'], separator: '-' },
      positionals: ['a@b'],
    });
    expect(parse(['--separator', '--', 'a@b'])).toEqual({ values: { separator: '--' }, positionals: ['a@b'] });
  });

  it('accepts options after positionals and repeats', () => {
    expect(parse(['a@b', '--secret=one', '--secret', 'two', '--reverse'])).toEqual({
      values: { secret: ['one', 'two'], reverse: true },
      positionals: ['a@b'],
    });
  });

  it('leaves everything after -- alone', () => {
    expect(parse(['--reverse', '--', '--secret', '-x'])).toEqual({ values: { reverse: true }, positionals: ['--secret', '-x'] });
  });

  it("accepts --name '' but refuses --name=", () => {
    expect(parse(['--secret', '', 'a@b'])).toEqual({ values: { secret: [''] }, positionals: ['a@b'] });
    expect(parse(['--secret=', 'a@b'])).toEqual({ ok: false, error: "option '--secret' requires an argument" });
  });

  it('refuses unknown options, missing values and values for flags with one line', () => {
    for (const args of [['--bogus'], ['--secret'], ['--reverse=yes'], ['-r']]) {
      const result = parse(args);
      expect(result).toMatchObject({ ok: false });
      expect((result as { error: string }).error).not.toContain('\n');
    }
  });
});

describe('value parsers', () => {
  it('parseInteger takes what Getopt::Long =i takes', () => {
    expect(['4', '+6', '-1', '0', '08'].map(parseInteger)).toEqual([4, 6, -1, 0, 8]);
    expect(['', '3.5', 'abc', '4x', ' 4'].map(parseInteger)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('parseSeparator takes = + - only', () => {
    expect(['=', '+', '-', '', '==', 'x'].map(parseSeparator)).toEqual(['=', '+', '-', undefined, undefined, undefined]);
  });

  it('parseAlias needs a domain', () => {
    expect(['example.org', 'fwd@example.org', '', 'fwd@'].map(parseAlias)).toEqual(['example.org', 'fwd@example.org', undefined, undefined]);
  });
});

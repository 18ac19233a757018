import { ACCEPTED, badRequestReply, formatReply, TEMPORARY_FAILURE } from '../../../filter/reply';

describe('formatReply', () => {
  test('one line: the code, a space, the text', () => {
    expect(formatReply(ACCEPTED)).toBe('200 Ok\n');
    expect(formatReply(TEMPORARY_FAILURE)).toBe('451 4.3.0 srsfilter: temporary failure, try again later\n');
  });

  test('several lines: NNN- on every line but the last', () => {
    expect(formatReply({ code: 550, lines: ['5.1.1 one', '5.1.1 two', '5.1.1 three'] })).toBe(
      '550-5.1.1 one\n550-5.1.1 two\n550 5.1.1 three\n',
    );
  });

  test('no lines: still one reply line, with empty text', () => {
    expect(formatReply({ code: 451, lines: [] })).toBe('451 \n');
  });

  test('control characters become ?, so that text from a message cannot forge a reply line', () => {
    expect(formatReply({ code: 550, lines: ['5.1.1 <a\r\n250 ok>'] })).toBe('550 5.1.1 <a??250 ok>\n');
    expect(formatReply({ code: 550, lines: ['\x00\t\x1b\x1f\x7f end'] })).toBe('550 ????? end\n');
  });

  test('every character that is not a control character is kept, non-ASCII included', () => {
    const text = ' !"~\x80é→\u{1F600}';
    expect(formatReply({ code: 550, lines: [text] })).toBe(`550 ${text}\n`);
  });

  test('each line is cut to 400 characters of text, control characters replaced', () => {
    const long = 'x'.repeat(399);
    expect(formatReply({ code: 550, lines: [`${long}yz`, `\n${long}`] })).toBe(`550-${long}y\n550 ?${long}\n`);
  });
});

test('badRequestReply: a 451 that names the problem', () => {
  expect(badRequestReply('empty request')).toEqual({ code: 451, lines: ['4.3.0 srsfilter: bad request: empty request'] });
});

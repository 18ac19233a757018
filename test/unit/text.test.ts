import { CONTROL_CHARACTER, hasControlCharacter } from '../../lib/text';

const controls = [...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)), '\x7f'];

test('the control characters are C0 and DEL; space, printable ASCII and non-ASCII are not', () => {
  expect(controls.filter(hasControlCharacter)).toHaveLength(33);
  expect(['', ' ', 'a@b.example', '~', '\x80', 'é', '\u2028', '\u{1F600}'].filter(hasControlCharacter)).toEqual([]);
  expect(controls.join('').replace(CONTROL_CHARACTER, '?')).toBe('?'.repeat(33));
});

test('hasControlCharacter gives the same answer however often it is asked', () => {
  const text = 'a\nb';
  expect([hasControlCharacter(text), hasControlCharacter(text), hasControlCharacter(text)]).toEqual([true, true, true]);
});

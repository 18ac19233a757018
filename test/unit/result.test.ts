import { fail, ok, type Result } from '../../lib/result';

describe('Result', () => {
  it('ok carries the value, fail the error, told apart by ok', () => {
    const answers: Result<number, string>[] = [ok(7), fail('no')];
    expect(answers).toEqual([
      { ok: true, value: 7 },
      { ok: false, error: 'no' },
    ]);
    expect(answers.map((answer) => (answer.ok ? answer.value : answer.error))).toEqual([7, 'no']);
  });

  it('ok() without a value is a success with nothing to carry', () => {
    const done: Result<void, string> = ok();
    expect(done.ok).toBe(true);
  });
});

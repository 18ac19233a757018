import { types } from 'node:util';
import { createLimiter } from '../../../filter/limiter';

test('with a slot free, a task that returns a plain value gives it back as it is, and frees its slot', () => {
  const limiter = createLimiter(1);
  expect(limiter.run(() => 1)).toBe(1);
  // The first task's slot is free again: the second runs at once too.
  expect(limiter.run(() => 2)).toBe(2);
});

test('a task that throws frees its slot', () => {
  const limiter = createLimiter(1);
  expect(() =>
    limiter.run(() => {
      throw new Error('bug');
    }),
  ).toThrow('bug');
  expect(limiter.run(() => 'next')).toBe('next');
});

test('a task that returns a promise holds its slot until it settles; the next waits, in arrival order', async () => {
  const limiter = createLimiter(1);
  const order: string[] = [];
  let finish: () => void = () => undefined;
  const first = limiter.run(
    () =>
      new Promise<void>((resolve) => {
        finish = resolve;
      }),
  );
  const second = limiter.run(() => order.push('second'));
  const third = limiter.run(() => order.push('third'));
  expect(types.isPromise(second)).toBe(true);
  await Promise.resolve();
  expect(order).toEqual([]);
  finish();
  await Promise.all([first, second, third]);
  expect(order).toEqual(['second', 'third']);
  expect(limiter.run(() => 'free again')).toBe('free again');
});

import { createMemoryBounceCounter } from '../../../filter/bounceCounter';

const DAY = 86_400_000;

/** A counter on a clock the test moves. */
function counterAt(start: number, capacity = 1000) {
  const clock = { now: start };
  return { clock, counter: createMemoryBounceCounter(capacity, () => clock.now) };
}

describe('the memory bounce counter', () => {
  it('allows `limit` counts per key, then refuses without counting', async () => {
    const { counter } = counterAt(0);
    for (let i = 0; i < 3; i++) expect(await counter.take(['a'], 3, DAY)).toEqual({ ok: true });
    expect(await counter.take(['a'], 3, DAY)).toEqual({ ok: false, error: { key: 'a' } });
    expect(await counter.take(['b'], 3, DAY)).toEqual({ ok: true });
    await counter.giveBack(['a']);
    expect(await counter.take(['a'], 3, DAY)).toEqual({ ok: true });
    expect(await counter.take(['a'], 3, DAY)).toEqual({ ok: false, error: { key: 'a' } });
  });

  it('counts all keys of one message or none, a repeated key as often as it is listed', async () => {
    const { counter } = counterAt(0);
    expect(await counter.take(['a', 'a'], 3, DAY)).toEqual({ ok: true });
    expect(await counter.take(['b', 'a', 'a'], 3, DAY)).toEqual({ ok: false, error: { key: 'a' } });
    expect(await counter.take(['b', 'b', 'b'], 3, DAY)).toEqual({ ok: true });
    expect(await counter.take(['a'], 3, DAY)).toEqual({ ok: true });
    expect(await counter.take(['a', 'a', 'a', 'a'], 3, DAY)).toEqual({ ok: false, error: { key: 'a' } });
  });

  it('starts a key again from zero once its window is over', async () => {
    const { clock, counter } = counterAt(1_000);
    for (let i = 0; i < 2; i++) await counter.take(['a'], 2, DAY);
    clock.now += DAY - 1;
    expect(await counter.take(['a'], 2, DAY)).toEqual({ ok: false, error: { key: 'a' } });
    clock.now += 1;
    expect(await counter.take(['a'], 2, DAY)).toEqual({ ok: true });
    expect(await counter.take(['a'], 2, DAY)).toEqual({ ok: true });
    expect(await counter.take(['a'], 2, DAY)).toEqual({ ok: false, error: { key: 'a' } });
  });

  // A million awaited steps take seconds on a busy machine: the limit is on behaviour, not time.
  it('never holds more than its capacity, over a million distinct keys', async () => {
    const capacity = 100_000;
    const { counter } = counterAt(0, capacity);
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      await counter.take([`key-${i}`], 10, DAY);
      largest = Math.max(largest, counter.size);
    }
    expect(largest).toBeLessThanOrEqual(capacity);
    // …while it does keep what it may: at least the recent half.
    expect(largest).toBeGreaterThanOrEqual(capacity / 2);
  }, 120_000);

  it('drops the least recently used keys; a key being refused stays', async () => {
    const { counter } = counterAt(0, 4);
    await counter.take(['abused'], 1, DAY);
    await counter.take(['x'], 1, DAY);
    await counter.take(['y'], 1, DAY);
    expect(await counter.take(['abused'], 1, DAY)).toEqual({ ok: false, error: { key: 'abused' } });
    await counter.take(['z'], 1, DAY);
    expect(counter.size).toBeLessThanOrEqual(4);
    expect(await counter.take(['abused'], 1, DAY)).toEqual({ ok: false, error: { key: 'abused' } });
    expect(await counter.take(['x'], 1, DAY)).toEqual({ ok: true });
  });
});

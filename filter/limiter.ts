import { types } from 'node:util';

/**
 * At most `max` tasks run at once; the others wait in arrival order. Waiting instead of refusing
 * matters: a refused connection would be a 432 for a message that only had to wait a little.
 */
export interface Limiter {
  /**
   * Runs `task` in a slot: at once when one is free, else once one is. A task that returns a
   * plain value holds its slot only while it is called, and with a slot free its value comes
   * back as it is: no promise, no event-loop turn.
   */
  run<T>(task: () => T | Promise<T>): T | Promise<T>;
}

export function createLimiter(max: number): Limiter {
  const queue: (() => void)[] = [];
  let active = 0;

  function release(): void {
    const next = queue.shift();
    if (next === undefined) active -= 1;
    else next();
  }

  /** Runs `task` in a slot taken for it, and frees the slot once the task is done. */
  function inSlot<T>(task: () => T | Promise<T>): T | Promise<T> {
    let result: T | Promise<T>;
    try {
      result = task();
    } catch (error) {
      release();
      throw error;
    }
    if (!types.isPromise(result)) {
      release();
      return result;
    }
    return result.finally(release);
  }

  function run<T>(task: () => T | Promise<T>): T | Promise<T> {
    if (active >= max) return new Promise<void>((resolve) => queue.push(resolve)).then(() => inSlot(task));
    active += 1;
    return inSlot(task);
  }

  return { run };
}

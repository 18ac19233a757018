/**
 * At most `max` tasks run at once; the others wait in arrival order. Waiting instead of refusing
 * matters: a refused connection would be a 432 for a message that only had to wait a little.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createLimiter(max: number): Limiter {
  const queue: (() => void)[] = [];
  let active = 0;

  function release(): void {
    const next = queue.shift();
    if (next === undefined) active -= 1;
    else next();
  }

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active < max) active += 1;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  }

  return { run };
}

// Every wait in the suite is a poll with a deadline: nothing sleeps blindly.
const POLL_MS = 50;

/**
 * Polls `probe` until it returns something other than undefined, and returns that. After
 * `timeoutMs` it throws "timed out … waiting for <what>"; `what` may be computed then, to say
 * what was seen instead.
 */
export async function waitUntil<T>(what: string | (() => string), probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

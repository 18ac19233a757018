export interface LifecycleHooks {
  /** Called once: stdin EOF (courierfilter's stop and reload), SIGTERM or SIGINT. */
  readonly shutdown: (why: string) => Promise<void>;
  /** SIGHUP. Never runs twice at once; a SIGHUP during a reload runs one more afterwards. */
  readonly reload: () => Promise<void>;
}

/**
 * courierfilter tells a filter to stop by closing its stdin; there is no signal. Signals are
 * for an admin (SIGHUP reloads) and for a system shutdown (SIGTERM).
 */
export function watchLifecycle(hooks: LifecycleHooks): void {
  let stopping = false;
  let reloading: Promise<void> | null = null;
  let reloadAgain = false;

  function stop(why: string): void {
    if (stopping) return;
    stopping = true;
    void hooks.shutdown(why);
  }

  function reload(): void {
    if (stopping) return;
    if (reloading !== null) {
      reloadAgain = true;
      return;
    }
    reloading = hooks.reload().finally(() => {
      reloading = null;
      if (reloadAgain) {
        reloadAgain = false;
        reload();
      }
    });
  }

  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('close', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin failed'));
  process.stdin.resume();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', reload);
}

export interface LifecycleHooks<Verdict> {
  /** Called once: stdin EOF (courierfilter's stop and reload), SIGTERM or SIGINT. */
  readonly shutdown: (why: string) => Promise<void>;
  /** Loads the configuration anew. Must not reject: a reload that fails is a verdict. */
  readonly reload: () => Promise<Verdict>;
}

export interface Lifecycle<Verdict> {
  /**
   * A reload that starts after this call (srsctl reload, as SIGHUP): its verdict, or undefined
   * when the filter is stopping.
   */
  reload(): Promise<Verdict | undefined>;
}

/**
 * courierfilter tells a filter to stop by closing its stdin; there is no signal. Signals are
 * for an admin (SIGHUP reloads) and for a system shutdown (SIGTERM).
 *
 * Reloads never run two at once. One asked for while another runs waits for it and then runs
 * once for everyone who asked meanwhile: the running one may have read the files before the
 * admin saved them.
 */
export function watchLifecycle<Verdict>(hooks: LifecycleHooks<Verdict>): Lifecycle<Verdict> {
  let stopping = false;
  let running: Promise<Verdict> | null = null;
  let queued: Promise<Verdict | undefined> | null = null;

  function stop(why: string): void {
    if (stopping) return;
    stopping = true;
    void hooks.shutdown(why);
  }

  function start(): Promise<Verdict> {
    const run = hooks.reload().finally(() => {
      if (running === run) running = null;
    });
    running = run;
    return run;
  }

  function reload(): Promise<Verdict | undefined> {
    if (stopping) return Promise.resolve(undefined);
    if (running === null) return start();
    queued ??= running.then(() => {
      queued = null;
      return stopping ? undefined : start();
    });
    return queued;
  }

  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('close', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin failed'));
  process.stdin.resume();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void reload());
  return { reload };
}

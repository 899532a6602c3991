/**
 * What a benchmark owns while it runs (clusters, SDK clients) and how it lets go, written once for
 * every bench/ script: stop() closes what was registered, newest first, each once; a Ctrl-C or a
 * SIGTERM (a timeout around the run) stops them too and exits 130, so no cluster outlives its
 * benchmark; and a cleanup that hangs on an overloaded cluster never holds the shared bench lock
 * past a minute (exitIfCleanupHangs).
 */
export class BenchResources {
  private readonly closers: (() => Promise<void>)[] = [];

  /** Registers `value`, closed by `close` on stop(); returns it. */
  own<T>(value: T, close: (value: T) => Promise<void>): T {
    this.closers.push(() => close(value));
    return value;
  }

  /** Closes everything registered so far, newest first; what stop() closed is not closed again. */
  async stop(): Promise<void> {
    for (let close = this.closers.pop(); close; close = this.closers.pop()) await close();
  }

  /** On SIGINT or SIGTERM: stop(), then exit with 130. */
  stopOnSignals(): void {
    const onSignal = (): void => void this.stop().then(() => process.exit(130));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
}

/**
 * Called as cleanup begins: exits the process (status 1) if it is still running `ms` later. A
 * cluster left overloaded by a failed step may not stop cleanly; the timer does not keep the
 * process alive otherwise.
 */
export function exitIfCleanupHangs(log: (text: string) => void, ms = 60_000): void {
  setTimeout(() => {
    log(`cleanup did not finish within ${ms / 1000} s; exiting`);
    process.exit(1);
  }, ms).unref();
}

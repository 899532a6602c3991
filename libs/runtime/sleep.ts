/**
 * Waits `ms` milliseconds, or less when `signal` aborts first: it then resolves at once (it never
 * rejects), so a loop that sleeps between attempts checks `signal.aborted` after waking and stops.
 * The timer is cleared on abort, so an aborted sleep keeps nothing alive.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

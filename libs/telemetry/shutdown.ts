/**
 * The flush-on-exit hook of the telemetry SDK. instrumentation.ts registers it when tracing is set
 * up; runService awaits it last during shutdown so buffered spans are not lost.
 */
let shutdownHook: (() => Promise<void>) | undefined;

export function setTelemetryShutdown(hook: () => Promise<void>): void {
  shutdownHook = hook;
}

/** Flushes and stops telemetry; never rejects, and gives up after `timeoutMs`. */
export async function shutdownTelemetry(timeoutMs = 3000): Promise<void> {
  const hook = shutdownHook;
  shutdownHook = undefined;
  if (!hook) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    hook().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  if (timer) clearTimeout(timer);
}

/**
 * The flush-on-exit hook of the telemetry SDK. instrumentation.ts registers it when tracing is set
 * up; runService awaits it last during shutdown so buffered spans are not lost.
 */
import { sleep } from '../runtime/index.js';

let shutdownHook: (() => Promise<void>) | undefined;
let flushHook: (() => Promise<void>) | undefined;

export function setTelemetryShutdown(hook: () => Promise<void>, flush?: () => Promise<void>): void {
  shutdownHook = hook;
  flushHook = flush;
}

/**
 * Exports the spans ended so far, after letting calls cancelled just before end theirs (a status
 * arrives a turn of the event loop after a cancel). Never rejects; bounded by `timeoutMs`.
 */
export async function flushTelemetry(timeoutMs = 3000): Promise<void> {
  const hook = flushHook;
  if (!hook) return;
  await sleep(10);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    hook().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  if (timer) clearTimeout(timer);
}

/** Flushes and stops telemetry; never rejects, and gives up after `timeoutMs`. */
export async function shutdownTelemetry(timeoutMs = 3000): Promise<void> {
  const hook = shutdownHook;
  shutdownHook = undefined;
  flushHook = undefined;
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

/**
 * The one retry helper of the SDK: run an attempt, and when it fails with an error the policy calls
 * retriable, wait (exponential backoff with jitter) and run it again, up to `retries` more times or
 * until `maxElapsedMs` has passed. Every call site that retries goes through here; none loops by hand.
 *
 * Whether an error is retriable is a property of the error (`SamsaError.retriable`, set from the
 * server's `samsa-error-reason`), so the default policy just asks it. Callers that know more (the
 * producer knows a topic it just saw in metadata is not "unknown" for long) pass `isRetriable`.
 *
 * Time and randomness are parameters so tests run the schedule without sleeping.
 */
import { type SamsaError, toSamsaError } from '../../errors/index.js';

export interface RetryOptions {
  /** Attempts after the first. Default 5. */
  retries?: number;
  /** Delay before the first retry, in ms. Default 100. */
  initialDelayMs?: number;
  /** Upper bound of any single delay, in ms. Default 5000. */
  maxDelayMs?: number;
  /** Growth of the delay per retry. Default 2. */
  factor?: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  jitter?: number;
  /** Give up once this much time has passed since the first attempt, in ms. Default 30000. */
  maxElapsedMs?: number;
}

export interface RetryHooks {
  /** Whether `err` (already a SamsaError) may be retried; default `err.retriable`. */
  isRetriable?: (err: SamsaError, attempt: number) => boolean;
  /** Called before waiting for a retry; a place to refresh metadata. Awaited. */
  onRetry?: (err: SamsaError, attempt: number, delayMs: number) => void | Promise<void>;
  /** Stops retrying at once (the caller is closing). */
  signal?: AbortSignal;
}

export interface RetryEnvironment {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: 5,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  factor: 2,
  jitter: 0.2,
  maxElapsedMs: 30_000,
};

export const realEnvironment: RetryEnvironment = {
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  now: () => Date.now(),
  random: () => Math.random(),
};

/** The delay before retry number `attempt` (1-based): initial * factor^(attempt-1), capped, jittered. */
export function backoffDelay(options: Required<RetryOptions>, attempt: number, random: () => number): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (attempt - 1));
  const scale = 1 - options.jitter + 2 * options.jitter * random();
  return Math.max(0, Math.round(base * scale));
}

/**
 * Runs `attempt` until it resolves, an error is not retriable, or the budget (retries, elapsed
 * time) is spent. Rejects with the last error as a SamsaError. `attempt` receives the attempt
 * number, starting at 0.
 */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions = {},
  hooks: RetryHooks = {},
  env: RetryEnvironment = realEnvironment,
): Promise<T> {
  const opts = { ...DEFAULT_RETRY, ...options };
  const started = env.now();
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (raw) {
      const err = toSamsaError(raw);
      const retriable = hooks.isRetriable ? hooks.isRetriable(err, n) : err.retriable;
      if (!retriable || n >= opts.retries || hooks.signal?.aborted) throw err;
      const delay = backoffDelay(opts, n + 1, env.random);
      if (env.now() - started + delay > opts.maxElapsedMs) throw err;
      await hooks.onRetry?.(err, n + 1, delay);
      await env.sleep(delay, hooks.signal);
      if (hooks.signal?.aborted) throw err;
    }
  }
}

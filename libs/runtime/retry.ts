/**
 * The one retry policy of Samsa (the SDK's, promoted): run an attempt, and when it fails with an
 * error the policy calls retriable, wait (exponential backoff with jitter) and run it again, up to
 * `retries` more times or until `maxElapsedMs` has passed. Every call site that retries goes through
 * here (retry()) or, for a loop that keeps trying for as long as it lives (re-registering, refetching),
 * takes its delays from a Backoff; none keeps its own table of delays.
 *
 * Whether an error is retriable is a property of the error (`SamsaError.retriable`, set from the
 * server's `samsa-error-reason`), so the default policy just asks it. Callers that know more (the
 * producer knows a topic it just saw in metadata is not "unknown" for long) pass `isRetriable`.
 *
 * Time and randomness are parameters so tests run the schedule without sleeping.
 */
import { type SamsaError, toSamsaError } from '../errors/index.js';
import { systemClock, type Clock } from './clock.js';
import { sleep } from './sleep.js';

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
  /** Resolves after `ms`, or early when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  clock: Clock;
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
  sleep,
  clock: systemClock,
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
  const started = env.clock.nowMs();
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (raw) {
      const err = toSamsaError(raw);
      const retriable = hooks.isRetriable ? hooks.isRetriable(err, n) : err.retriable;
      if (!retriable || n >= opts.retries || hooks.signal?.aborted) throw err;
      const delay = backoffDelay(opts, n + 1, env.random);
      if (env.clock.nowMs() - started + delay > opts.maxElapsedMs) throw err;
      await hooks.onRetry?.(err, n + 1, delay);
      await env.sleep(delay, hooks.signal);
      if (hooks.signal?.aborted) throw err;
    }
  }
}

/**
 * The delays of a loop that retries for as long as it lives (re-registering in etcd, refetching from
 * a leader): the retry policy's exponential, capped, jittered delays, with no budget. next() gives
 * the delay before the next attempt; reset() after a success starts again from the first delay.
 * Not for concurrent use by two loops.
 */
export class Backoff {
  private readonly options: Required<RetryOptions>;
  private attempt = 0;

  constructor(
    options: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs' | 'factor' | 'jitter'> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_RETRY, ...options };
  }

  /** The delay before the next attempt, in ms; each call counts one more failure. */
  next(): number {
    this.attempt++;
    return backoffDelay(this.options, this.attempt, this.random);
  }

  /** Failures counted since the last reset. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

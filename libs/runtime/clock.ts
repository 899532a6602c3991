/**
 * Time as a parameter (Kafka's `Time`): everything that decides by the clock (timeouts, session
 * expiry, retention, timestamps it writes) reads it through a Clock it was given, so tests drive
 * time by hand instead of sleeping. `nowMs()` is wall-clock milliseconds since the epoch, as
 * `Date.now()`; it may jump (NTP): what must not (a token bucket) keeps a monotonic source of its own
 * (libs/security/quota/throttle.ts). Only this module reads `Date.now()`; lint enforces it (ADR 0039).
 */
export interface Clock {
  /** Wall-clock ms since the Unix epoch: for timestamps that leave the process and for deadlines kept in etcd. */
  nowMs(): number;
}

/** The process clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told: for tests. */
export class ManualClock implements Clock {
  constructor(private ms = 0) {}
  nowMs(): number {
    return this.ms;
  }
  /** Moves time forward by `ms` (never backwards: a Clock user may assume time does not run back). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`a ManualClock moves forward only, got ${ms} ms`);
    this.ms += ms;
  }
}

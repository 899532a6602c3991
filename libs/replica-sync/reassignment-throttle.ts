/**
 * The follower-side replication throttle of replicas a reassignment is adding here (Kafka's
 * follower.replication.throttled.rate): one token bucket per broker, shared by every replica this
 * broker is being added as, refilled at the smallest throttle of those moves (ReassignmentState),
 * holding at most a quarter second's worth. A fetch for a throttled replica reserves and asks for
 * at most the tokens held, and is charged what came back (the leader still sends one whole batch,
 * so the balance may go below zero); while it is below one byte, throttled replicas are left out
 * of requests. Over any long window the bytes
 * copied are at most rate x time + one batch + the burst. Pure apart from the clock passed in.
 */
import { systemClock, type Clock } from '../runtime/index.js';

const BURST_SECONDS = 0.25;

export class ReassignmentThrottle {
  private tokens = 0;
  private lastMs: number;
  private rate = 0;
  /** Bytes appended to throttled replicas, for metrics. */
  throttledBytes = 0;

  constructor(private readonly clock: Clock = systemClock) {
    this.lastMs = clock.nowMs();
  }

  private refill(rate: number): void {
    const now = this.clock.nowMs();
    if (this.rate !== rate) this.tokens = Math.min(this.tokens, rate * BURST_SECONDS);
    this.rate = rate;
    this.tokens = Math.min(rate * BURST_SECONDS, this.tokens + ((now - this.lastMs) / 1000) * rate);
    this.lastMs = now;
  }

  /**
   * Bytes a throttled replica may ask for now at `rate` bytes/s (0: none, wait until `retryAtMs`).
   * With several throttled replicas in one request they share what this returns.
   */
  allowance(rate: number): { bytes: number; retryAtMs: number } {
    this.refill(rate);
    if (this.tokens >= 1) return { bytes: Math.floor(this.tokens), retryAtMs: 0 };
    return { bytes: 0, retryAtMs: this.clock.nowMs() + Math.ceil(((1 - this.tokens) / rate) * 1000) };
  }

  /** Takes `bytes` off the balance for a fetch about to be sent. */
  reserve(bytes: number): void {
    this.tokens -= bytes;
  }

  /** A reserved fetch came back with `received` bytes: the balance is charged that instead. */
  settle(reserved: number, received: number): void {
    this.tokens += reserved - received;
    this.throttledBytes += received;
  }
}

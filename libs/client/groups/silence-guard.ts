/**
 * The member's half of the coordinator's liveness rule (docs/groups.md "Liveness"): a relay member
 * that holds records and says nothing for its session timeout is removed, and its partitions go to
 * other members from their last commit. A member whose process stood still for that long (SIGSTOP,
 * a debugger, a paused VM) wakes with records the coordinator pushed into its socket before the
 * removal, and reads them before it reads the end of its stream: handing them out then processes
 * them a second time, next to the partitions' new owners (issue 20 measured exactly that).
 *
 * The coordinator counts a member's silence from its last message, as received, or later (from
 * when it began to hold records); either is no earlier than the member's own last write. So a
 * member that wrote within its session timeout cannot have been removed since, and one that did
 * not may have been: it must not hand out what it holds, but drop it and join again (the records
 * come back from the last commit to whoever owns the partition then). A small margin (a tenth of
 * the timeout, at most 1 s) covers the two clocks; a member that is only slow, not stopped, and
 * goes that long without a word is dropped a little early, which costs a rejoin, never a record.
 */
import { systemClock, type Clock } from '../../runtime/index.js';

export class SilenceGuard {
  private lastSpokeMs: number;
  private silentTooLong = false;
  /** Silence after which the coordinator may have removed the member. */
  readonly limitMs: number;

  /** Created when the member's join is written on a new stream. */
  constructor(
    sessionTimeoutMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.limitMs = sessionTimeoutMs - Math.min(1_000, sessionTimeoutMs / 10);
    this.lastSpokeMs = clock.nowMs();
  }

  /** The member wrote a message on the stream (any message is a heartbeat). */
  spoke(): void {
    this.check();
    this.lastSpokeMs = this.clock.nowMs();
  }

  /**
   * True once the member may have been removed on this stream: it went `limitMs` without writing.
   * Stays true (a later message does not undo a removal); the member then drops the stream.
   */
  mayBeRemoved(): boolean {
    this.check();
    return this.silentTooLong;
  }

  /** How long the member has not written. */
  get silentMs(): number {
    return this.clock.nowMs() - this.lastSpokeMs;
  }

  private check(): void {
    if (this.clock.nowMs() - this.lastSpokeMs >= this.limitMs) this.silentTooLong = true;
  }
}

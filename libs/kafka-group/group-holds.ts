/**
 * The gateway's holds of its classic groups in Samsa's coordinator (docs/adr/0050): a group that
 * Kafka clients use through this gateway is held there (HoldKafkaGroup), so Samsa's coordinator
 * refuses GroupConsume joins of it, refuses another gateway's hold, and keeps the hold across a
 * coordinator takeover. The gateway has no identity of its own (docs/adr/0047), so each hold is
 * made as the Kafka client whose request prompted it, which also checks that client's READ on the
 * group, as Kafka's JoinGroup, SyncGroup, Heartbeat and LeaveGroup do.
 *
 * When: every JoinGroup holds (and checks READ); SyncGroup, Heartbeat and LeaveGroup renew as their
 * client when that client did not do it for that group within a quarter of the TTL, so a revoked
 * READ ACL takes effect within that time, or when the hold this gateway last made for the group
 * has less than three quarters of the TTL left, so a live group renews well inside its TTL. The
 * TTL is the configured one, or twice the session timeout of the member whose request renews it
 * when longer (a member may go a session timeout without a request; the coordinator never
 * shortens a hold, so the group's hold lasts as long as its longest-lived member needs). A group
 * left without members is released as the client that last held it; if that fails, the hold
 * lapses by itself.
 *
 * Why the second condition: a hold can be shorter than a member's own renewals assume, or gone,
 * without that member's doing: a release of the emptied group that reached the coordinator after
 * a new member's JoinGroup hold, then held again (as the last holder, with the configured TTL),
 * while that member's session asks for a longer one.
 *
 * This is when and for how long; the call itself (HoldKafkaGroup over gRPC, as the client) is the
 * gateway's, given as `call` (services/kafka-gateway/apis/groups.ts).
 */
import type { Clock } from '../runtime/index.js';
import type { Logger } from '../telemetry/index.js';

/** The coordinator's TTL bound (HoldKafkaGroup's ttl_ms). */
const MAX_TTL_MS = 600_000;

export interface HoldRequest {
  holder: string;
  ttlMs: number;
  release: boolean;
}

/** `Caller`: how the gateway makes a call as one Kafka client (its connection's credentials). */
export interface GroupHoldsOptions<Caller extends object> {
  /** Who holds: this gateway ("kafka-gateway-<id>"). */
  holder: string;
  ttlMs: number;
  clock: Clock;
  /** HoldKafkaGroup on the group's coordinator as `caller`. */
  call: (caller: Caller, groupId: string, request: HoldRequest) => Promise<void>;
  /** Whether this gateway's group has members now. */
  hasMembers: (groupId: string) => boolean;
  logger: Logger;
}

export class GroupHolds<Caller extends object> {
  /** Per client connection (its Caller), when it last held each group. */
  private readonly renewed = new WeakMap<Caller, Map<string, number>>();
  private readonly lastCaller = new Map<string, Caller>();
  /** Per group, until when its hold lasts as far as this gateway knows (none: released or never held). */
  private readonly heldUntil = new Map<string, number>();

  constructor(private readonly o: GroupHoldsOptions<Caller>) {}

  /** Who holds (this gateway); also the member id its commits carry to Samsa's coordinator. */
  get holder(): string {
    return this.o.holder;
  }

  /**
   * Holds or renews `groupId` as `caller` (READ on the group checked by Samsa). With `always`
   * false it is skipped when `caller` did it for this group within a quarter of the TTL and the
   * group's hold has at least three quarters of the TTL left. Rejects
   * with Samsa's error: AUTHORIZATION_FAILED, INCONSISTENT_GROUP_PROTOCOL (GroupConsume members, or
   * held by another gateway: detail `held-by`), NOT_COORDINATOR, NOT_READY.
   */
  async hold(caller: Caller, groupId: string, always: boolean, sessionTimeoutMs: number): Promise<void> {
    const ttlMs = this.ttlFor(sessionTimeoutMs);
    const now = this.o.clock.nowMs();
    let byGroup = this.renewed.get(caller);
    if (!byGroup) this.renewed.set(caller, (byGroup = new Map()));
    const last = byGroup.get(groupId);
    const left = (this.heldUntil.get(groupId) ?? -Infinity) - now;
    if (!always && last !== undefined && now - last < ttlMs / 4 && left >= (ttlMs * 3) / 4) return;
    await this.o.call(caller, groupId, { holder: this.o.holder, ttlMs, release: false });
    byGroup.set(groupId, now);
    this.lastCaller.set(groupId, caller);
    this.heldUntil.set(groupId, Math.max(this.heldUntil.get(groupId) ?? -Infinity, now + ttlMs));
  }

  /** The group has no members left here: release its hold (in the background; a failure only logs). */
  release(groupId: string): void {
    const caller = this.lastCaller.get(groupId);
    if (!caller) return;
    this.lastCaller.delete(groupId);
    const held = { holder: this.o.holder, ttlMs: this.o.ttlMs };
    void this.o
      .call(caller, groupId, { ...held, release: true })
      .then(() => {
        // Whatever a hold made meanwhile may have been released with it: the next request renews.
        this.heldUntil.delete(groupId);
        // A client joined again while the release was on its way: hold it again.
        return this.o.hasMembers(groupId) ? this.hold(caller, groupId, true, 0) : undefined;
      })
      .catch((err: unknown) =>
        this.o.logger.warn(
          { group: groupId, err: err instanceof Error ? err.message : String(err) },
          'releasing the hold of a Kafka group failed; it lapses by itself after its TTL',
        ),
      );
  }

  private ttlFor(sessionTimeoutMs: number): number {
    return Math.min(MAX_TTL_MS, Math.max(this.o.ttlMs, 2 * sessionTimeoutMs));
  }
}

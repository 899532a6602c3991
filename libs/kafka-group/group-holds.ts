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
 * READ ACL takes effect within that time and a live group renews well inside its TTL. The TTL is
 * the configured one, or twice the longest session timeout of the group's members when longer (a
 * member may go that long without a request). A group left without members is released as the
 * client that last held it; if that fails, the hold lapses by itself.
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

  constructor(private readonly o: GroupHoldsOptions<Caller>) {}

  /** Who holds (this gateway); also the member id its commits carry to Samsa's coordinator. */
  get holder(): string {
    return this.o.holder;
  }

  /**
   * Holds or renews `groupId` as `caller` (READ on the group checked by Samsa). With `always`
   * false it is skipped when `caller` did it for this group within a quarter of the TTL. Rejects
   * with Samsa's error: AUTHORIZATION_FAILED, INCONSISTENT_GROUP_PROTOCOL (GroupConsume members, or
   * held by another gateway: detail `held-by`), NOT_COORDINATOR, NOT_READY.
   */
  async hold(caller: Caller, groupId: string, always: boolean, sessionTimeoutMs: number): Promise<void> {
    const ttlMs = this.ttlFor(sessionTimeoutMs);
    const now = this.o.clock.nowMs();
    let byGroup = this.renewed.get(caller);
    if (!byGroup) this.renewed.set(caller, (byGroup = new Map()));
    const last = byGroup.get(groupId);
    if (!always && last !== undefined && now - last < ttlMs / 4) return;
    await this.o.call(caller, groupId, { holder: this.o.holder, ttlMs, release: false });
    byGroup.set(groupId, now);
    this.lastCaller.set(groupId, caller);
  }

  /** The group has no members left here: release its hold (in the background; a failure only logs). */
  release(groupId: string): void {
    const caller = this.lastCaller.get(groupId);
    if (!caller) return;
    this.lastCaller.delete(groupId);
    const held = { holder: this.o.holder, ttlMs: this.o.ttlMs };
    void this.o
      .call(caller, groupId, { ...held, release: true })
      // A client joined again while the release was on its way: hold it again.
      .then(() => (this.o.hasMembers(groupId) ? this.hold(caller, groupId, true, 0) : undefined))
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

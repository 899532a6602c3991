/**
 * The group coordinator's core: the groups of the `__consumer_offsets` partitions this process
 * owns, their membership ({@link Group}) and their committed offsets ({@link OffsetsState}).
 * Transport-free: the gRPC handlers (services/coordinator) call it, the partition ownership in
 * etcd (ownership.ts) tells it what it owns, and it reads and writes the offsets topic through an
 * {@link OffsetsLog}.
 *
 * Owning the partitions (taking one over, the fenced writes, losing it) is offsets-partitions.ts;
 * this file is what the groups of those partitions do: membership, commits, Kafka holds.
 *
 * Timers: one session-expiry timer per group with members, owned here and cleared when the group
 * empties, the partition is released, or close() is called. Single event loop; not thread-safe.
 *
 * Why one file (~570 lines): membership, commits and Kafka holds act on the same groups of the
 * same partition runtimes, and the rules between them (a held group refuses GroupConsume joins and
 * outside commits, a share group refuses both kinds) have to be read side by side. Owning the
 * partitions (offsets-partitions.ts), group state (group.ts), offsets (offsets-log.ts), ownership
 * (ownership.ts) and assignors are already separate.
 */
import { SamsaError } from '../errors/index.js';
import { systemClock, type Clock } from '../runtime/index.js';
import { ATTR, tracer, withSpan, withSyncSpan, type Logger } from '../telemetry/index.js';
import { Group, type GroupDescription, type GroupLimits, type JoinRequest, type MemberEvent } from './group.js';
import type { TopicPartition } from './assignors.js';
import { kafkaHoldRecord, offsetRecord, type Committed, type CommittedOffsetValue, type KafkaHold } from './offsets-log.js';
import type { CoordinatorRegistration, OwnershipListener } from './ownership.js';
import { OffsetsPartitions, type OffsetsClaims, type OffsetsLog, type PartitionRuntime } from './offsets-partitions.js';

export interface GroupCoordinatorOptions {
  coordinatorId: number;
  offsetsPartitions: number;
  log: OffsetsLog;
  claims: OffsetsClaims;
  /** Current partition count of a topic, undefined when it does not exist. */
  partitionCount(topic: string): number | undefined;
  /** Who owns an offsets partition (for NOT_COORDINATOR details). */
  ownerOf(partition: number): CoordinatorRegistration | undefined;
  limits: GroupLimits;
  logger: Logger;
  clock?: Clock;
  newMemberId?: () => string;
  /** Delay between attempts to load a partition that failed. Default 1000 ms. */
  loadRetryMs?: number;
}

export type MemberListener = (event: MemberEvent) => void;

/** Committed-offset metadata that marks a share group's start offsets (share-groups.ts). */
export const SHARE_GROUP_METADATA = 'samsa:share-group';

/** The share groups next to the classic ones (share-groups.ts): asked about kinds, told about lost partitions. */
export interface ShareGroupsHook {
  /** True while this coordinator holds share state for the group. */
  isShare(groupId: string): boolean;
  /** An offsets partition was released: its share groups end. */
  released(partition: number): void;
  /** Topics changed (partitions added): share groups start reading the new partitions. */
  topicsChanged(): void;
}

export interface OffsetToCommit extends TopicPartition {
  offset: number;
  metadata: string;
  /** A share group's state above the offset (share-groups.ts), stored with it. */
  share?: unknown;
}

export interface GroupSummary {
  groupId: string;
  state: string;
  members: number;
}

export interface GroupRuntime {
  group: Group;
  listeners: Map<string, MemberListener>;
  timer: NodeJS.Timeout | undefined;
  /** The generation last counted in the rebalance metric. */
  seenGeneration: number;
}

export class GroupCoordinator implements OwnershipListener {
  private readonly parts: OffsetsPartitions;
  private readonly clock: Clock;
  private readonly newMemberId: () => string;
  /** Commit requests written, and generations started, since this process started. */
  private commits = 0;
  private rebalances = 0;
  private shareGroups: ShareGroupsHook | undefined;

  constructor(private readonly o: GroupCoordinatorOptions) {
    this.clock = o.clock ?? systemClock;
    this.newMemberId =
      o.newMemberId ?? (() => `member-${o.coordinatorId}-${this.clock.nowMs().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
    this.parts = new OffsetsPartitions({
      coordinatorId: o.coordinatorId,
      offsetsPartitions: o.offsetsPartitions,
      log: o.log,
      claims: o.claims,
      ownerOf: (p) => o.ownerOf(p),
      logger: o.logger,
      clock: this.clock,
      ...(o.loadRetryMs !== undefined ? { loadRetryMs: o.loadRetryMs } : {}),
      onReleased: (rt) => this.dropPartition(rt),
    });
  }

  /** The share groups living next to the classic ones (set once, at start). */
  attachShareGroups(hook: ShareGroupsHook): void {
    this.shareGroups = hook;
  }

  // ---- ownership (offsets-partitions.ts) ----

  acquired(partition: number, fence: number): void {
    this.parts.acquired(partition, fence);
  }

  released(partition: number): void {
    this.parts.released(partition);
  }

  /** A partition left the table: every member of its groups is told NOT_COORDINATOR. */
  private dropPartition(rt: PartitionRuntime): void {
    for (const [groupId, gr] of rt.groups)
      this.dropGroup(
        gr,
        new SamsaError('NOT_COORDINATOR', `this coordinator no longer owns group "${groupId}"; find its coordinator again`),
      );
    rt.groups.clear();
    this.shareGroups?.released(rt.partition);
  }

  /** Drops every partition (members told NOT_COORDINATOR) and refuses further work. */
  close(): void {
    this.parts.close();
  }

  /** True once every owned partition is loaded (for tests and health). */
  get ready(): boolean {
    return this.parts.ready;
  }

  /** For metrics: loaded groups with members, their members, and the committed offsets held. */
  stats(): { groups: number; members: number; committedOffsets: number; commits: number; rebalances: number } {
    let groups = 0;
    let members = 0;
    let committedOffsets = 0;
    for (const rt of this.parts.all()) {
      for (const gr of rt.groups.values()) {
        groups++;
        members += gr.group.size;
      }
      for (const id of rt.offsets.groupIds()) committedOffsets += rt.offsets.committed(id).length;
    }
    return { groups, members, committedOffsets, commits: this.commits, rebalances: this.rebalances };
  }

  ownedPartitions(): number[] {
    return this.parts.owned();
  }

  // ---- lookups ----

  partitionOf(groupId: string): number {
    return this.parts.partitionOf(groupId);
  }

  /** The loaded partition runtime of `groupId`; NOT_COORDINATOR (with the owner's address) or NOT_READY otherwise. */
  private partitionFor(groupId: string): PartitionRuntime {
    return this.parts.serving(groupId);
  }

  /** Throws NOT_COORDINATOR or NOT_READY unless this coordinator serves `groupId` now. */
  checkServing(groupId: string): void {
    this.partitionFor(groupId);
  }

  /**
   * The group's kind, if it has one: classic while it has GroupConsume members or offsets committed
   * by them (or from outside), share while share state is held for it or its committed offsets are
   * a share group's start offsets. undefined: a new group, either kind may join.
   */
  kindOf(groupId: string): 'classic' | 'share' | undefined {
    const rt = this.partitionFor(groupId);
    // Kafka-protocol members (a gateway's hold) are a classic group too.
    if ((rt.groups.get(groupId)?.group.size ?? 0) > 0 || this.liveKafkaHold(rt, groupId)) return 'classic';
    if (this.shareGroups?.isShare(groupId)) return 'share';
    const committed = rt.offsets.committed(groupId);
    if (committed.length === 0) return undefined;
    return committed.every((c) => c.metadata === SHARE_GROUP_METADATA) ? 'share' : 'classic';
  }

  private runtimeOf(groupId: string): GroupRuntime | undefined {
    return this.partitionFor(groupId).groups.get(groupId);
  }

  private knownGroup(groupId: string): { rt: PartitionRuntime; gr: GroupRuntime | undefined } {
    const rt = this.partitionFor(groupId);
    const gr = rt.groups.get(groupId);
    if (!gr && rt.offsets.committed(groupId).length === 0)
      throw new SamsaError('GROUP_ID_NOT_FOUND', `group "${groupId}" has no members and no committed offsets`);
    return { rt, gr };
  }

  // ---- membership ----

  /** Adds a member; `listener` receives its events, starting with those of this join. */
  join(groupId: string, request: JoinRequest, listener: MemberListener): string {
    return withSyncSpan('group.join', { [ATTR.group]: groupId, 'samsa.topics': request.topics.join(',') }, (span) => {
      const memberId = this.joinNow(groupId, request, listener);
      span.setAttributes({ [ATTR.memberId]: memberId, [ATTR.generation]: this.runtimeOf(groupId)?.group.generation ?? -1 });
      return memberId;
    });
  }

  private joinNow(groupId: string, request: JoinRequest, listener: MemberListener): string {
    const rt = this.partitionFor(groupId);
    const hold = this.liveKafkaHold(rt, groupId);
    if (hold)
      throw new SamsaError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" is held by Kafka-protocol members (Kafka clients through ${hold.holder}); a group is either Samsa GroupConsume members or Kafka clients, not both: use another group id, or stop the Kafka clients (the hold ends when the last of them leaves, or lapses by ${new Date(hold.expiresAtMs).toISOString()} unless ${hold.holder} renews it)`,
        { details: { 'held-by': hold.holder } },
      );
    if (this.kindOf(groupId) === 'share')
      throw new SamsaError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" is a share group (ShareConsume); a classic member (GroupConsume) cannot join it. Use another group id, or join it with ShareConsume`,
      );
    let gr = rt.groups.get(groupId);
    const created = !gr;
    if (!gr)
      gr = {
        group: new Group(groupId, this.clock, this.newMemberId, this.o.limits),
        listeners: new Map(),
        timer: undefined,
        seenGeneration: 0,
      };
    let joined: { memberId: string; events: MemberEvent[] };
    try {
      // Partition counts of the subscriptions including the joiner's (a count change of topics
      // already subscribed rebalances here; the joiner's own topics are only recorded).
      const events = gr.group.setPartitionCounts(this.countsFor([...gr.group.subscribedTopics(), ...request.topics]));
      if (events.length > 0) this.dispatch(rt, groupId, gr, events);
      joined = gr.group.join(request);
    } catch (err) {
      if (created) this.cleanupIfEmpty(rt, groupId, gr);
      throw err;
    }
    rt.groups.set(groupId, gr);
    gr.listeners.set(joined.memberId, listener);
    this.dispatch(rt, groupId, gr, joined.events);
    return joined.memberId;
  }

  heartbeat(groupId: string, memberId: string): void {
    const gr = this.runtimeOf(groupId);
    if (!gr) throw new SamsaError('UNKNOWN_MEMBER_ID', `member "${memberId}" is not in group "${groupId}"`);
    gr.group.heartbeat(memberId);
    this.schedule(this.partitionFor(groupId), groupId, gr);
  }

  revoked(groupId: string, memberId: string, partitions: readonly TopicPartition[]): void {
    const rt = this.partitionFor(groupId);
    const gr = rt.groups.get(groupId);
    if (!gr) throw new SamsaError('UNKNOWN_MEMBER_ID', `member "${memberId}" is not in group "${groupId}"`);
    this.dispatch(rt, groupId, gr, gr.group.revoked(memberId, partitions));
  }

  /** The member leaves (its listener is dropped first, so it hears nothing more). Unknown members are ignored. */
  leave(groupId: string, memberId: string): void {
    const rt = this.parts.get(this.partitionOf(groupId));
    const gr = rt?.groups.get(groupId);
    if (!rt || !gr) return;
    gr.listeners.delete(memberId);
    this.dispatch(rt, groupId, gr, gr.group.leave(memberId));
  }

  /** A static member's stream ended: it stays in the group (its session timeout decides), but hears nothing until it joins again. */
  detach(groupId: string, memberId: string): void {
    const gr = this.parts.get(this.partitionOf(groupId))?.groups.get(groupId);
    gr?.listeners.delete(memberId);
  }

  isStatic(groupId: string, memberId: string): boolean {
    return this.parts.get(this.partitionOf(groupId))?.groups.get(groupId)?.group.isStatic(memberId) ?? false;
  }

  /** Partition counts changed in the cluster: every group re-checks its subscriptions. */
  topicsChanged(): void {
    this.shareGroups?.topicsChanged();
    for (const rt of this.parts.all()) {
      for (const [groupId, gr] of rt.groups)
        this.dispatch(rt, groupId, gr, gr.group.setPartitionCounts(this.countsFor(gr.group.subscribedTopics())));
    }
  }

  private countsFor(topics: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of topics) {
      const n = this.o.partitionCount(t);
      if (n !== undefined) counts.set(t, n);
    }
    return counts;
  }

  private dispatch(rt: PartitionRuntime, groupId: string, gr: GroupRuntime, events: readonly MemberEvent[]): void {
    if (gr.group.generation !== gr.seenGeneration) {
      this.rebalances += Math.max(0, gr.group.generation - gr.seenGeneration);
      // The decision is taken here, in memory: the span marks it (with who gets what as events)
      // inside whatever trace caused it (a join, a leave, an expiry timer starts its own).
      const span = tracer.startSpan('group.rebalance', {
        attributes: {
          [ATTR.group]: groupId,
          [ATTR.generation]: gr.group.generation,
          'samsa.previous_generation': gr.seenGeneration,
          'samsa.members': gr.group.size,
        },
      });
      for (const e of events)
        if (e.kind === 'assignment' || e.kind === 'revoke')
          span.addEvent(e.kind, { [ATTR.memberId]: e.memberId, 'samsa.partitions': e.partitions.length });
      span.end();
      gr.seenGeneration = gr.group.generation;
    }
    for (const e of events) {
      const listener = gr.listeners.get(e.memberId);
      if (e.kind === 'removed') gr.listeners.delete(e.memberId);
      if (!listener) continue;
      try {
        listener(e);
      } catch (err) {
        this.o.logger.error({ err, groupId, memberId: e.memberId }, 'member listener threw; this is a bug');
      }
    }
    this.schedule(rt, groupId, gr);
  }

  /** (Re)arms the group's expiry timer, or drops the group once it has no members. */
  private schedule(rt: PartitionRuntime, groupId: string, gr: GroupRuntime): void {
    if (gr.timer) clearTimeout(gr.timer);
    gr.timer = undefined;
    if (this.cleanupIfEmpty(rt, groupId, gr)) return;
    const at = gr.group.nextExpiry();
    if (at === undefined) return;
    gr.timer = setTimeout(
      () => {
        gr.timer = undefined;
        if (rt.groups.get(groupId) !== gr) return;
        this.dispatch(rt, groupId, gr, gr.group.expire());
      },
      Math.max(0, at - this.clock.nowMs()),
    );
  }

  private cleanupIfEmpty(rt: PartitionRuntime, groupId: string, gr: GroupRuntime): boolean {
    if (gr.group.size > 0) return false;
    if (gr.timer) clearTimeout(gr.timer);
    gr.timer = undefined;
    if (rt.groups.get(groupId) === gr) rt.groups.delete(groupId);
    return true;
  }

  private dropGroup(gr: GroupRuntime, reason: SamsaError): void {
    if (gr.timer) clearTimeout(gr.timer);
    gr.timer = undefined;
    for (const [memberId, listener] of [...gr.listeners]) {
      gr.listeners.delete(memberId);
      listener({ kind: 'removed', memberId, reason });
    }
  }

  // ---- offsets ----

  /**
   * Commits for a member at `generation` (or, for an empty group, from outside with member "" and
   * generation -1). Durable (acks=all in __consumer_offsets) when it resolves. Throws
   * INVALID_REQUEST (bad offset), UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_MEMBER_ID,
   * ILLEGAL_GENERATION, PARTITION_NOT_ASSIGNED, NOT_COORDINATOR.
   */
  async commit(groupId: string, memberId: string, generation: number, offsets: readonly OffsetToCommit[]): Promise<void> {
    const attributes = { [ATTR.group]: groupId, [ATTR.memberId]: memberId, [ATTR.generation]: generation, 'samsa.offsets': offsets.length };
    return withSpan('group.commit', attributes, () => this.commitNow(groupId, memberId, generation, offsets));
  }

  private async commitNow(groupId: string, memberId: string, generation: number, offsets: readonly OffsetToCommit[]): Promise<void> {
    const rt = this.partitionFor(groupId);
    for (const c of offsets) {
      if (!Number.isSafeInteger(c.offset) || c.offset < 0)
        throw new SamsaError(
          'INVALID_REQUEST',
          `offset for ${c.topic}/${c.partition} must be an integer from 0 to 2^53-1, got ${c.offset}`,
        );
      const n = this.o.partitionCount(c.topic);
      if (n === undefined || !Number.isInteger(c.partition) || c.partition < 0 || c.partition >= n) {
        throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `${c.topic}/${c.partition} does not exist`);
      }
    }
    const gr = rt.groups.get(groupId);
    const hold = this.liveKafkaHold(rt, groupId);
    if (gr) gr.group.checkCommit(memberId, generation, offsets);
    else if (generation !== -1 || (memberId !== '' && memberId !== hold?.holder))
      throw new SamsaError(
        'UNKNOWN_MEMBER_ID',
        `group "${groupId}" has no member "${memberId}"; join first (or commit with member "" and generation -1 while the group is empty)`,
      );
    // A held group's commits come from its Kafka gateway (member = the holder); one from outside is
    // refused as for a group with members (docs/adr/0050).
    else if (hold && memberId !== hold.holder)
      throw new SamsaError(
        'GROUP_NOT_EMPTY',
        `group "${groupId}" is held by Kafka-protocol members through ${hold.holder}; a commit from outside the group is refused while it has members`,
      );
    if (gr) gr.group.heartbeat(memberId);
    await this.write(
      rt,
      groupId,
      offsets.map((c) => ({
        tp: c,
        value: {
          offset: c.offset,
          metadata: c.metadata,
          commitTimestampMs: this.clock.nowMs(),
          ...(c.share !== undefined ? { share: c.share } : {}),
        },
      })),
    );
  }

  /** Writes offsets (null: delete) and applies them once acknowledged. NOT_COORDINATOR if the partition moved meanwhile. */
  private async write(
    rt: PartitionRuntime,
    groupId: string,
    entries: readonly { tp: TopicPartition; value: CommittedOffsetValue | null }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.parts.append(
      rt,
      groupId,
      entries.map((e) => offsetRecord(groupId, e.tp, e.value, rt.fence)),
    );
    this.commits++;
    if (!this.parts.isCurrent(rt))
      throw new SamsaError('NOT_COORDINATOR', `group "${groupId}" moved to another coordinator during the commit; commit again there`);
    for (const e of entries) {
      if (e.value) rt.offsets.set(groupId, { topic: e.tp.topic, partition: e.tp.partition, ...e.value });
      else rt.offsets.delete(groupId, e.tp);
    }
  }

  /** The committed offset of one partition, or undefined. Does not require the group to exist. */
  committedOffset(groupId: string, tp: TopicPartition): Committed | undefined {
    return this.partitionFor(groupId).offsets.get(groupId, tp);
  }

  /** Committed offsets of a known group (all, or those of `partitions`). GROUP_ID_NOT_FOUND for an unknown group. */
  fetchOffsets(groupId: string, partitions: readonly TopicPartition[] = []): { tp: TopicPartition; committed: Committed | undefined }[] {
    const { rt } = this.knownGroup(groupId);
    if (partitions.length === 0)
      return rt.offsets.committed(groupId).map((c) => ({ tp: { topic: c.topic, partition: c.partition }, committed: c }));
    return partitions.map((tp) => ({ tp, committed: rt.offsets.get(groupId, tp) }));
  }

  describe(groupId: string): GroupDescription & { offsets: Committed[] } {
    const { rt, gr } = this.knownGroup(groupId);
    const d: GroupDescription = gr ? gr.group.describe() : { groupId, state: 'Empty', generation: 0, assignor: 'sticky', members: [] };
    return { ...d, offsets: rt.offsets.committed(groupId) };
  }

  /** Groups of the loaded partitions: those with members or committed offsets. */
  listGroups(): GroupSummary[] {
    const out: GroupSummary[] = [];
    for (const rt of this.parts.all()) {
      if (!rt.ready) continue;
      const ids = new Set([...rt.groups.keys(), ...rt.offsets.groupIds()]);
      for (const id of ids) {
        const gr = rt.groups.get(id);
        out.push({ groupId: id, state: gr ? gr.group.currentState : 'Empty', members: gr ? gr.group.size : 0 });
      }
    }
    return out.sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  /** Overwrites committed offsets of a group with no members. GROUP_NOT_EMPTY while it has members (or Kafka ones). */
  async resetOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<void> {
    const rt = this.partitionFor(groupId);
    const gr = rt.groups.get(groupId);
    if (gr && gr.group.size > 0)
      throw new SamsaError(
        'GROUP_NOT_EMPTY',
        `group "${groupId}" has ${gr.group.size} active member(s); stop them before resetting offsets`,
      );
    this.refuseIfKafkaHeld(rt, groupId, 'resetting offsets');
    await this.commit(groupId, '', -1, offsets);
  }

  /** Deletes a group with no members: its committed offsets are removed (fenced delete markers). */
  async deleteGroup(groupId: string): Promise<void> {
    const { rt, gr } = this.knownGroup(groupId);
    if (gr && gr.group.size > 0)
      throw new SamsaError('GROUP_NOT_EMPTY', `group "${groupId}" has ${gr.group.size} active member(s); stop them before deleting it`);
    this.refuseIfKafkaHeld(rt, groupId, 'deleting it');
    await this.write(
      rt,
      groupId,
      rt.offsets.committed(groupId).map((c) => ({ tp: { topic: c.topic, partition: c.partition }, value: null })),
    );
  }

  // ---- groups of Kafka-protocol members (docs/adr/0050) ----

  /**
   * Holds `groupId` for Kafka-protocol members that `holder` (a Kafka gateway) runs, until `ttlMs`
   * from now; the same holder calling again renews it. The hold is in __consumer_offsets (acks=all),
   * so a coordinator taking the group over keeps it; it is written when it is new, changes holder,
   * or its written expiry is less than half a TTL away (a renewal every TTL/2 or sooner keeps it),
   * and applied before the write so no GroupConsume join slips in meanwhile. While it is live,
   * GroupConsume joins are refused. Throws INCONSISTENT_GROUP_PROTOCOL when the group has
   * GroupConsume members or a live hold of another holder (detail `held-by`).
   */
  async holdForKafka(groupId: string, holder: string, ttlMs: number): Promise<void> {
    const rt = this.partitionFor(groupId);
    const gr = rt.groups.get(groupId);
    if (gr && gr.group.size > 0)
      throw new SamsaError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" has ${gr.group.size} Samsa GroupConsume member(s); a group is either Samsa GroupConsume members or Kafka clients, not both`,
      );
    if (this.shareGroups?.isShare(groupId))
      throw new SamsaError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" is a share group (ShareConsume); Kafka clients cannot join it as a classic group: use another group id`,
      );
    const now = this.clock.nowMs();
    const current = this.liveKafkaHold(rt, groupId);
    if (current && current.holder !== holder)
      throw new SamsaError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" is held by Kafka-protocol members through ${current.holder}; all Kafka clients of a group must use the same gateway (the hold lapses by ${new Date(current.expiresAtMs).toISOString()} unless renewed)`,
        { details: { 'held-by': current.holder } },
      );
    if (current && current.expiresAtMs - now >= ttlMs / 2) return;
    const hold: KafkaHold = { holder, expiresAtMs: now + ttlMs };
    const before = rt.offsets.kafkaHold(groupId);
    rt.offsets.setKafkaHold(groupId, hold);
    try {
      await this.parts.append(rt, groupId, [kafkaHoldRecord(groupId, hold, rt.fence)]);
    } catch (err) {
      // Not written: back to what was there, unless a later call replaced it meanwhile.
      if (rt.offsets.kafkaHold(groupId) === hold) rt.offsets.setKafkaHold(groupId, before ?? null);
      throw err;
    }
    if (!this.parts.isCurrent(rt))
      throw new SamsaError('NOT_COORDINATOR', `group "${groupId}" moved to another coordinator while it was being held; hold it there`);
  }

  /** Ends `holder`'s hold of `groupId` (a tombstone in __consumer_offsets); anyone else's, or none, is left alone. */
  async releaseKafkaHold(groupId: string, holder: string): Promise<void> {
    const rt = this.partitionFor(groupId);
    if (rt.offsets.kafkaHold(groupId)?.holder !== holder) return;
    rt.offsets.setKafkaHold(groupId, null);
    await this.parts.append(rt, groupId, [kafkaHoldRecord(groupId, null, rt.fence)]);
  }

  /** The group's hold if it has not lapsed. */
  kafkaHold(groupId: string): KafkaHold | undefined {
    return this.liveKafkaHold(this.partitionFor(groupId), groupId);
  }

  private liveKafkaHold(rt: PartitionRuntime, groupId: string): KafkaHold | undefined {
    const hold = rt.offsets.kafkaHold(groupId);
    return hold && hold.expiresAtMs > this.clock.nowMs() ? hold : undefined;
  }

  private refuseIfKafkaHeld(rt: PartitionRuntime, groupId: string, what: string): void {
    const hold = this.liveKafkaHold(rt, groupId);
    if (hold)
      throw new SamsaError(
        'GROUP_NOT_EMPTY',
        `group "${groupId}" is held by Kafka-protocol members (through ${hold.holder}); stop them before ${what}`,
      );
  }
}

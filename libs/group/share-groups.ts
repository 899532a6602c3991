/**
 * The share groups of one coordinator (issue 20, ADR 0049), next to its classic groups: a share
 * group lives on the coordinator that owns its `__consumer_offsets` partition, as a classic one
 * does, and ends (members told NOT_COORDINATOR) when that partition is released.
 *
 * Kinds: a share join of a classic group is refused (INCONSISTENT_GROUP_PROTOCOL); the coordinator
 * refuses the reverse (coordinator.ts kindOf).
 *
 * Durability (ADR 0053, docs/queues.md): each partition's share state — its start offset
 * (everything below it acked or dead-lettered) and the runs above it (acked, dead-lettered, being
 * dead-lettered, delivery counts; SharePartition.snapshot) — is committed to `__consumer_offsets`
 * as the group's committed offset of that partition, marked with SHARE_GROUP_METADATA, through the
 * coordinator's fenced append (acks=all): one key per group partition, so the compacted topic
 * keeps the latest state and a replay reads one record per partition. One write in flight per
 * group; the next takes everything that changed meanwhile (ShareGroup.takeWrite). Deliveries wait
 * for the write holding their delivery counts, confirmations of answers for the write holding
 * their effect. A new coordinator starts each partition from the state last written.
 */
import { SamsaError } from '../errors/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Clock } from '../runtime/index.js';
import { SHARE_GROUP_METADATA, type GroupCoordinator, type ShareGroupsHook } from './coordinator.js';
import {
  ShareGroup,
  type DeadLetterSink,
  type ShareGroupConfig,
  type ShareGroupCounts,
  type ShareMemberConnection,
  type ShareMemberLimits,
  type ShareRecordSource,
  type ShareSourceRecord,
} from './share-group.js';
import { DEFAULT_SHARE_CONFIG, parseStoredShareState } from './share-partition.js';

/** What a share join asks for; unset group settings are undefined. */
export interface ShareJoinRequest {
  groupId: string;
  topics: readonly string[];
  sessionTimeoutMs: number;
  reset: 'earliest' | 'latest';
  limits: ShareMemberLimits;
  leaseMs: number | undefined;
  maxDeliveryAttempts: number | undefined;
  keyOrdered: boolean | undefined;
  deadLetterTopic: string | undefined;
}

export interface ShareGroupsDeps<R extends ShareSourceRecord> {
  coordinator: GroupCoordinator;
  source: ShareRecordSource<R>;
  deadLetters: DeadLetterSink<R>;
  partitionCount(topic: string): number | undefined;
  clock: Clock;
  logger: Logger;
  newMemberId?: () => string;
}

interface Entry<R extends ShareSourceRecord> {
  group: ShareGroup<R>;
  partition: number;
  writing: Promise<void> | undefined;
  /** The retry of a failed write. */
  timer: NodeJS.Timeout | undefined;
  /** Something changed while a write was in flight (or waiting to be retried). */
  again: boolean;
}

/** A failed write of share state is tried again after this long (the coordinator may be reloading the partition). */
const RETRY_WRITE_MS = 500;

/** What this coordinator's share groups hold and did, for /metrics. The totals only grow in one process. */
export interface ShareGroupsStats {
  groups: number;
  members: number;
  inFlight: number;
  available: number;
  acked: number;
  deadLettered: number;
  leaseExpiries: number;
}

export class ShareGroups<R extends ShareSourceRecord> implements ShareGroupsHook {
  private readonly groups = new Map<string, Entry<R>>();
  private closed = false;
  /** Activity of groups no longer here (released, closed), so the totals never go back. */
  private readonly retired = { acked: 0, deadLettered: 0, leaseExpiries: 0 };

  constructor(private readonly deps: ShareGroupsDeps<R>) {}

  isShare(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** For /metrics: what the groups here hold now, and what they did since this process started. */
  stats(): ShareGroupsStats {
    const out: ShareGroupsStats = { groups: this.groups.size, members: 0, inFlight: 0, available: 0, ...this.retired };
    for (const e of this.groups.values()) {
      const c = e.group.counts();
      const a = e.group.activity();
      out.members += c.members;
      out.inFlight += c.inFlight;
      out.available += c.available;
      out.acked += a.acked;
      out.deadLettered += a.deadLettered;
      out.leaseExpiries += a.leaseExpiries;
    }
    return out;
  }

  private retire(e: Entry<R>): void {
    const a = e.group.activity();
    this.retired.acked += a.acked;
    this.retired.deadLettered += a.deadLettered;
    this.retired.leaseExpiries += a.leaseExpiries;
  }

  released(partition: number): void {
    for (const [groupId, e] of [...this.groups]) {
      if (e.partition !== partition) continue;
      this.retire(e);
      this.groups.delete(groupId);
      clearTimeout(e.timer);
      e.group.close(
        new SamsaError('NOT_COORDINATOR', `this coordinator no longer owns share group "${groupId}"; find its coordinator again`),
      );
    }
  }

  /** Topics changed: each group reads the partitions its members' topics have now (new ones from `reset`). */
  topicsChanged(): void {
    for (const e of this.groups.values()) e.group.topicsChanged();
  }

  close(): void {
    this.closed = true;
    for (const [groupId, e] of [...this.groups]) {
      this.retire(e);
      this.groups.delete(groupId);
      clearTimeout(e.timer);
      e.group.close(new SamsaError('NOT_READY', `the coordinator is shutting down; find the coordinator of "${groupId}" again and rejoin`));
    }
  }

  /** Adds a member; returns its id and the group's configuration in force. */
  join(request: ShareJoinRequest, connection: ShareMemberConnection<R>): { memberId: string; group: ShareGroup<R> } {
    if (this.closed) throw new SamsaError('NOT_READY', 'the coordinator is shutting down');
    const { groupId } = request;
    const c = this.deps.coordinator;
    c.checkServing(groupId);
    if (c.kindOf(groupId) === 'classic')
      throw new SamsaError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" is a classic consumer group (GroupConsume members or committed offsets); a share member cannot join it. Use another group id`,
      );
    let e = this.groups.get(groupId);
    if (e) checkSame(groupId, e.group.config, request);
    else {
      const config: ShareGroupConfig = {
        leaseMs: request.leaseMs ?? DEFAULT_SHARE_CONFIG.leaseMs,
        maxDeliveryAttempts: request.maxDeliveryAttempts ?? DEFAULT_SHARE_CONFIG.maxDeliveryAttempts,
        keyOrdered: request.keyOrdered ?? DEFAULT_SHARE_CONFIG.keyOrdered,
        deadLetterTopic: request.deadLetterTopic ?? `${groupId}.dlq`,
        reset: request.reset,
      };
      const entry: Entry<R> = {
        partition: c.partitionOf(groupId),
        writing: undefined,
        timer: undefined,
        again: false,
        group: new ShareGroup<R>(groupId, config, {
          source: this.deps.source,
          deadLetters: this.deps.deadLetters,
          partitionCount: (t) => this.deps.partitionCount(t),
          startOffset: (tp) => {
            const committed = c.committedOffset(groupId, tp);
            return committed && { offset: committed.offset, stored: parseStoredShareState(committed.share) };
          },
          persist: () => this.persist(groupId, entry),
          clock: this.deps.clock,
          logger: this.deps.logger,
        }),
      };
      e = entry;
      this.groups.set(groupId, e);
      this.deps.logger.info({ groupId, ...config }, 'share group created');
    }
    const memberId =
      this.deps.newMemberId?.() ?? `share-${this.deps.clock.nowMs().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    e.group.join(memberId, request.topics, request.limits, request.sessionTimeoutMs, connection);
    return { memberId, group: e.group };
  }

  /**
   * Counts for describe; undefined for a group that is not a share group here. A share group no
   * member has joined since this coordinator took it: its stored totals, nothing in flight.
   */
  counts(groupId: string): ShareGroupCounts | undefined {
    const live = this.groups.get(groupId)?.group.counts();
    if (live) return live;
    const c = this.deps.coordinator;
    if (c.kindOf(groupId) !== 'share') return undefined;
    const out: ShareGroupCounts = { members: 0, available: 0, inFlight: 0, acked: 0, deadLettered: 0 };
    for (const o of c.fetchOffsets(groupId)) {
      const stored = parseStoredShareState(o.committed?.share);
      out.acked += stored?.acked ?? 0;
      out.deadLettered += stored?.deadLettered ?? 0;
    }
    return out;
  }

  /** Starts a write of the group's share state unless one is in flight or waiting to be retried (then it follows). */
  private persist(groupId: string, e: Entry<R>): void {
    if (e.writing || e.timer) {
      e.again = true;
      return;
    }
    e.again = false;
    const next = e.group.takeWrite();
    if (!next) return;
    const { writes, token } = next;
    const append =
      writes.length === 0
        ? Promise.resolve()
        : this.deps.coordinator.commit(
            groupId,
            '',
            -1,
            writes.map((w) => ({ ...w.tp, offset: w.startOffset, metadata: SHARE_GROUP_METADATA, share: w.state })),
          );
    e.writing = append
      .then(
        () => e.group.written(token),
        (err: unknown) => {
          e.group.writeFailed(token);
          if (this.groups.get(groupId) !== e) return;
          this.deps.logger.warn({ err, groupId }, 'writing share-group state failed; deliveries and confirmations wait; retrying');
          e.timer = setTimeout(() => {
            e.timer = undefined;
            if (this.groups.get(groupId) === e) this.persist(groupId, e);
          }, RETRY_WRITE_MS);
        },
      )
      .finally(() => {
        e.writing = undefined;
        if (e.again && !e.timer && this.groups.get(groupId) === e) this.persist(groupId, e);
      });
  }
}

function checkSame(groupId: string, config: ShareGroupConfig, r: ShareJoinRequest): void {
  const differs: string[] = [];
  if (r.leaseMs !== undefined && r.leaseMs !== config.leaseMs) differs.push(`lease_ms ${config.leaseMs} (asked ${r.leaseMs})`);
  if (r.maxDeliveryAttempts !== undefined && r.maxDeliveryAttempts !== config.maxDeliveryAttempts)
    differs.push(`max_delivery_attempts ${config.maxDeliveryAttempts} (asked ${r.maxDeliveryAttempts})`);
  if (r.keyOrdered !== undefined && r.keyOrdered !== config.keyOrdered)
    differs.push(`key_ordered ${config.keyOrdered} (asked ${r.keyOrdered})`);
  if (r.deadLetterTopic !== undefined && r.deadLetterTopic !== config.deadLetterTopic)
    differs.push(`dead_letter_topic "${config.deadLetterTopic}" (asked "${r.deadLetterTopic}")`);
  if (differs.length > 0)
    throw new SamsaError(
      'INVALID_CONFIG',
      `share group "${groupId}" already has ${differs.join(', ')}; join without these settings or with the group's values`,
    );
}

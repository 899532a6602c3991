/**
 * The share groups of one coordinator (issue 20, ADR 0049), next to its classic groups: a share
 * group lives on the coordinator that owns its `__consumer_offsets` partition, as a classic one
 * does, and ends (members told NOT_COORDINATOR) when that partition is released.
 *
 * Kinds: a share join of a classic group is refused (INCONSISTENT_GROUP_PROTOCOL); the coordinator
 * refuses the reverse (coordinator.ts kindOf).
 *
 * Durability (docs/queues.md): each partition's start offset (everything below it acked or
 * dead-lettered) is committed to `__consumer_offsets` as the group's committed offset, marked with
 * SHARE_GROUP_METADATA, coalesced (one write in flight per group). A new coordinator starts the
 * group there, so after a failover records below the last written start offset are never delivered
 * again, and records at or above it may be (at-least-once). Leases, delivery counts and acks above
 * the start offset live in memory only.
 */
import { SamsaError } from '../errors/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Clock } from '../runtime/index.js';
import { tpKey } from './assignors.js';
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
import { DEFAULT_SHARE_CONFIG } from './share-partition.js';

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
  /** Start offsets last written, per partition key. */
  written: Map<string, number>;
  writing: Promise<void> | undefined;
  /** The next write, armed after a change. */
  timer: NodeJS.Timeout | undefined;
  again: boolean;
}

/** Start offsets are written at most this often per group. */
const PERSIST_EVERY_MS = 100;

export class ShareGroups<R extends ShareSourceRecord> implements ShareGroupsHook {
  private readonly groups = new Map<string, Entry<R>>();
  private closed = false;

  constructor(private readonly deps: ShareGroupsDeps<R>) {}

  isShare(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  released(partition: number): void {
    for (const [groupId, e] of [...this.groups]) {
      if (e.partition !== partition) continue;
      this.groups.delete(groupId);
      clearTimeout(e.timer);
      e.group.close(
        new SamsaError('NOT_COORDINATOR', `this coordinator no longer owns share group "${groupId}"; find its coordinator again`),
      );
    }
  }

  close(): void {
    this.closed = true;
    for (const [groupId, e] of [...this.groups]) {
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
        written: new Map(),
        writing: undefined,
        timer: undefined,
        again: false,
        group: new ShareGroup<R>(groupId, config, {
          source: this.deps.source,
          deadLetters: this.deps.deadLetters,
          partitionCount: (t) => this.deps.partitionCount(t),
          startOffset: (tp) => {
            const committed = c.committedOffset(groupId, tp);
            if (committed) entry.written.set(tpKey(tp), committed.offset);
            return committed?.offset;
          },
          progress: () => this.persist(groupId, entry),
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

  /** Counts for describe; undefined when this coordinator holds no share state for the group. */
  counts(groupId: string): ShareGroupCounts | undefined {
    return this.groups.get(groupId)?.group.counts();
  }

  /**
   * Writes start offsets that moved (module comment): at most one write per PERSIST_EVERY_MS per
   * group, so a busy group costs a few __consumer_offsets writes a second, not one per ack.
   */
  private persist(groupId: string, e: Entry<R>): void {
    if (e.writing || e.timer) {
      e.again = true;
      return;
    }
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (this.groups.get(groupId) === e) this.write(groupId, e);
    }, PERSIST_EVERY_MS);
  }

  private write(groupId: string, e: Entry<R>): void {
    e.again = false;
    const moved = e.group.startOffsets().filter((s) => (e.written.get(tpKey(s.tp)) ?? -1) < s.offset);
    if (moved.length === 0) return;
    e.writing = this.deps.coordinator
      .commit(
        groupId,
        '',
        -1,
        moved.map((s) => ({ ...s.tp, offset: s.offset, metadata: SHARE_GROUP_METADATA })),
      )
      .then(
        () => {
          for (const s of moved) e.written.set(tpKey(s.tp), Math.max(e.written.get(tpKey(s.tp)) ?? -1, s.offset));
        },
        (err: unknown) =>
          this.deps.logger.warn({ err, groupId }, 'writing share-group start offsets failed; retrying with the next change'),
      )
      .finally(() => {
        e.writing = undefined;
        if (e.again && this.groups.get(groupId) === e) this.persist(groupId, e);
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

/**
 * One consumer group's membership, as a pure state machine: no timers, no I/O. The owner (the
 * coordinator) feeds it joins, heartbeats, revocation acknowledgements, leaves, partition-count
 * changes and the passing of time (`expire(now)`), and delivers the {@link MemberEvent}s each call
 * returns to the members' streams. Time comes from the injected clock, member ids from the
 * injected id source, so tests run without sleeping.
 *
 * Assignment is done here, on the server, cooperatively (KIP-429 style, but the coordinator drives
 * it): each rebalance bumps the generation and computes a target assignment with the group's
 * assignor from what members own now. A member is told at once to stop reading partitions it must
 * give up (`revoke`); a partition is granted to its new owner only once its old owner has
 * acknowledged the revocation (`revoked`), left, or been expired. So no partition is ever owned by
 * two members at once (checked by {@link Group.checkInvariants} in the tests), and partitions that
 * do not move are never interrupted.
 *
 * Fencing: a commit is accepted only from a current member, carrying the current generation, for a
 * partition that member owns (including one it is revoking: it commits, then acknowledges).
 * A member removed for any reason (expired, replaced by a static restart, left) is unknown from
 * then on, so a zombie's commit is refused with UNKNOWN_MEMBER_ID.
 *
 * Static membership: a member joining with a `group.instance.id` that a current member has takes
 * that member's place (the old member id is fenced) and keeps its partitions without a rebalance
 * when its subscription is unchanged. A static member whose stream ends is not removed at once;
 * its session timeout decides, so a restart within it moves nothing.
 *
 * Not safe for concurrent use: call it from one event loop, one call at a time.
 */
import { SamsaError } from '../errors/index.js';
import type { Clock } from '../runtime/index.js';
import { ASSIGNORS, compareTp, tpKey, type AssignorName, type TopicPartition } from './assignors.js';

export type GroupState = 'Empty' | 'Rebalancing' | 'Stable' | 'Dead';

/** For each state, the states it may be entered from (checked on every transition). */
const LEGAL_PREVIOUS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['Empty', 'Rebalancing', 'Stable'],
  Rebalancing: ['Empty', 'Rebalancing', 'Stable'],
  Stable: ['Empty', 'Rebalancing', 'Stable'],
  Dead: ['Empty', 'Dead'],
};

export interface GroupLimits {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
}

export const DEFAULT_GROUP_LIMITS: GroupLimits = { minSessionTimeoutMs: 6_000, maxSessionTimeoutMs: 300_000 };
export const DEFAULT_SESSION_TIMEOUT_MS = 45_000;

export interface JoinRequest {
  topics: readonly string[];
  /** 0 means the default (45 s). */
  sessionTimeoutMs: number;
  instanceId?: string | undefined;
  /** undefined: the group's assignor, or sticky for the first member. */
  assignor?: AssignorName | undefined;
  clientHost?: string;
}

/** What a member must be told. Deliver in order. */
export type MemberEvent =
  /** The partitions the member may read now, at `generation`. Sent on join and on every change. */
  | { kind: 'assignment'; memberId: string; generation: number; partitions: TopicPartition[] }
  /** Stop reading these, commit what was processed, then acknowledge with `revoked`. */
  | { kind: 'revoke'; memberId: string; partitions: TopicPartition[] }
  /** The member is no longer in the group (expired, replaced, group deleted): end its stream. */
  | { kind: 'removed'; memberId: string; reason: SamsaError };

export interface MemberDescription {
  memberId: string;
  instanceId: string | undefined;
  clientHost: string;
  topics: string[];
  sessionTimeoutMs: number;
  /** Partitions it owns now (including ones it is revoking). */
  partitions: TopicPartition[];
  revoking: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  generation: number;
  assignor: AssignorName;
  members: MemberDescription[];
}

interface Member {
  id: string;
  instanceId: string | undefined;
  clientHost: string;
  topics: string[];
  sessionTimeoutMs: number;
  lastSeenMs: number;
  /** Owned partitions (tpKey -> tp): what it may read, plus what it is revoking. */
  owned: Map<string, TopicPartition>;
  revoking: Map<string, TopicPartition>;
  /** When the current revocation was asked for; a member that does not finish it within its session timeout is removed. */
  revokingSinceMs: number;
  /** What the assignor wants it to own. */
  target: TopicPartition[];
}

export class Group {
  private state: GroupState = 'Empty';
  private generationId = 0;
  private assignorName: AssignorName = 'sticky';
  private readonly members = new Map<string, Member>();
  private partitionCounts = new Map<string, number>();

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly newMemberId: () => string,
    private readonly limits: GroupLimits = DEFAULT_GROUP_LIMITS,
  ) {}

  get generation(): number {
    return this.generationId;
  }

  get currentState(): GroupState {
    return this.state;
  }

  get size(): number {
    return this.members.size;
  }

  /** Topics any member subscribes to (for the owner to watch their partition counts). */
  subscribedTopics(): string[] {
    return [...new Set([...this.members.values()].flatMap((m) => m.topics))].sort();
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  isStatic(memberId: string): boolean {
    return this.members.get(memberId)?.instanceId !== undefined;
  }

  /**
   * Adds a member (or, with a known instance id, replaces the static member that has it).
   * Throws INVALID_SESSION_TIMEOUT, INVALID_REQUEST (no topics, other assignor), GROUP_ID_NOT_FOUND (dead group).
   */
  join(request: JoinRequest): { memberId: string; events: MemberEvent[] } {
    if (this.state === 'Dead') throw new SamsaError('GROUP_ID_NOT_FOUND', `group "${this.groupId}" was deleted`);
    const sessionTimeoutMs = request.sessionTimeoutMs === 0 ? DEFAULT_SESSION_TIMEOUT_MS : request.sessionTimeoutMs;
    const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max } = this.limits;
    if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < min || sessionTimeoutMs > max) {
      throw new SamsaError(
        'INVALID_SESSION_TIMEOUT',
        `session_timeout_ms must be between ${min} and ${max}, got ${request.sessionTimeoutMs}`,
      );
    }
    const topics = [...new Set(request.topics)].sort();
    if (topics.length === 0) throw new SamsaError('INVALID_REQUEST', 'a member must subscribe to at least one topic');
    if (request.assignor && this.members.size > 0 && request.assignor !== this.assignorName) {
      throw new SamsaError('INVALID_REQUEST', `group "${this.groupId}" uses the ${this.assignorName} assignor, not ${request.assignor}`);
    }
    if (this.members.size === 0) this.assignorName = request.assignor ?? 'sticky';
    const now = this.clock.nowMs();
    const memberId = this.newMemberId();
    const member: Member = {
      id: memberId,
      instanceId: request.instanceId || undefined,
      clientHost: request.clientHost ?? '',
      topics,
      sessionTimeoutMs,
      lastSeenMs: now,
      owned: new Map(),
      revoking: new Map(),
      revokingSinceMs: now,
      target: [],
    };
    const events: MemberEvent[] = [];
    const previous =
      member.instanceId === undefined ? undefined : [...this.members.values()].find((m) => m.instanceId === member.instanceId);
    if (previous) {
      // A static member restarted: it takes the old member's place and partitions.
      this.members.delete(previous.id);
      events.push({
        kind: 'removed',
        memberId: previous.id,
        reason: new SamsaError(
          'UNKNOWN_MEMBER_ID',
          `member ${previous.id} was replaced by a new member with group.instance.id "${member.instanceId}"`,
        ),
      });
      member.owned = previous.owned;
      member.revoking = previous.revoking;
      member.revokingSinceMs = previous.revokingSinceMs;
      member.target = previous.target;
      this.members.set(memberId, member);
      if (sameTopics(previous.topics, topics)) {
        events.push(this.assignmentOf(member));
        if (member.revoking.size > 0) events.push({ kind: 'revoke', memberId, partitions: sortedValues(member.revoking) });
        return { memberId, events };
      }
    } else {
      this.members.set(memberId, member);
    }
    events.push(...this.rebalance());
    return { memberId, events };
  }

  /** Liveness. Throws UNKNOWN_MEMBER_ID for a member that is not in the group. */
  heartbeat(memberId: string): void {
    this.member(memberId).lastSeenMs = this.clock.nowMs();
  }

  /** The member stopped reading `partitions` after a revoke; they may now go to their new owners. */
  revoked(memberId: string, partitions: readonly TopicPartition[]): MemberEvent[] {
    const member = this.member(memberId);
    member.lastSeenMs = this.clock.nowMs();
    for (const tp of partitions) {
      const key = tpKey(tp);
      if (!member.revoking.has(key)) continue;
      member.revoking.delete(key);
      member.owned.delete(key);
    }
    return this.grant();
  }

  /** The member leaves the group; its partitions go to the others. Unknown members are ignored. */
  leave(memberId: string): MemberEvent[] {
    if (!this.members.delete(memberId)) return [];
    return this.rebalance();
  }

  /** Removes members whose session ran out, or that did not finish a revocation within it. */
  expire(): MemberEvent[] {
    const now = this.clock.nowMs();
    const events: MemberEvent[] = [];
    for (const m of [...this.members.values()]) {
      const silent = now - m.lastSeenMs > m.sessionTimeoutMs;
      const stuck = m.revoking.size > 0 && now - m.revokingSinceMs > m.sessionTimeoutMs;
      if (!silent && !stuck) continue;
      this.members.delete(m.id);
      const why = silent
        ? `no heartbeat for ${now - m.lastSeenMs} ms (session timeout ${m.sessionTimeoutMs} ms)`
        : `did not give up revoked partitions within ${m.sessionTimeoutMs} ms`;
      events.push({
        kind: 'removed',
        memberId: m.id,
        reason: new SamsaError('UNKNOWN_MEMBER_ID', `member ${m.id} was removed from group "${this.groupId}": ${why}`),
      });
    }
    if (events.length > 0) events.push(...this.rebalance());
    return events;
  }

  /** When the next member could expire (ms on the group's clock), or undefined with no members. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const m of this.members.values()) {
      const at =
        Math.min(
          m.lastSeenMs + m.sessionTimeoutMs,
          m.revoking.size > 0 ? m.revokingSinceMs + m.sessionTimeoutMs : Number.POSITIVE_INFINITY,
        ) + 1;
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  /** The current partition counts of the subscribed topics (absent: unknown or deleted). Rebalances when they changed. */
  setPartitionCounts(counts: ReadonlyMap<string, number>): MemberEvent[] {
    const relevant = new Map([...counts].filter(([t]) => this.subscribedTopics().includes(t)));
    const before = new Map([...this.partitionCounts].filter(([t]) => this.subscribedTopics().includes(t)));
    this.partitionCounts = new Map(counts);
    if (sameCounts(before, relevant)) return [];
    return this.rebalance();
  }

  /**
   * Throws unless `memberId` may commit `partitions` at `generation`: UNKNOWN_MEMBER_ID,
   * ILLEGAL_GENERATION, or PARTITION_NOT_ASSIGNED. An empty group accepts commits from outside
   * (member id "" and generation -1), as Kafka does for consumers that assign partitions themselves;
   * while it has members such a commit is refused with GROUP_NOT_EMPTY, not retriable (Kafka refuses
   * it too): retrying would not help, and it would overwrite what the members commit.
   */
  checkCommit(memberId: string, generation: number, partitions: readonly TopicPartition[]): void {
    if (this.state === 'Dead') throw new SamsaError('GROUP_ID_NOT_FOUND', `group "${this.groupId}" was deleted`);
    if (memberId === '' && generation === -1) {
      if (this.members.size === 0) return;
      throw new SamsaError(
        'GROUP_NOT_EMPTY',
        `group "${this.groupId}" has ${this.members.size} active member(s); only they may commit (with their member id and generation), not a consumer without membership`,
      );
    }
    const member = this.members.get(memberId);
    if (!member)
      throw new SamsaError(
        'UNKNOWN_MEMBER_ID',
        `member "${memberId}" is not in group "${this.groupId}" (expired, left or replaced); join again`,
      );
    if (generation !== this.generationId) {
      throw new SamsaError(
        'ILLEGAL_GENERATION',
        `generation ${generation} is stale: group "${this.groupId}" is at generation ${this.generationId}`,
      );
    }
    for (const tp of partitions) {
      if (!member.owned.has(tpKey(tp))) {
        throw new SamsaError(
          'PARTITION_NOT_ASSIGNED',
          `${tp.topic}/${tp.partition} is not assigned to member ${memberId} in generation ${generation}`,
        );
      }
    }
  }

  /** The partitions the member may read now (owned minus revoking). */
  readable(memberId: string): TopicPartition[] {
    const m = this.member(memberId);
    return sortedValues(m.owned).filter((tp) => !m.revoking.has(tpKey(tp)));
  }

  describe(): GroupDescription {
    return {
      groupId: this.groupId,
      state: this.state,
      generation: this.generationId,
      assignor: this.assignorName,
      members: [...this.members.values()]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((m) => ({
          memberId: m.id,
          instanceId: m.instanceId,
          clientHost: m.clientHost,
          topics: [...m.topics],
          sessionTimeoutMs: m.sessionTimeoutMs,
          partitions: sortedValues(m.owned),
          revoking: sortedValues(m.revoking),
        })),
    };
  }

  /** Marks the group deleted. Only an empty group can be deleted (GROUP_NOT_EMPTY otherwise). */
  markDead(): void {
    if (this.members.size > 0)
      throw new SamsaError('GROUP_NOT_EMPTY', `group "${this.groupId}" has ${this.members.size} active member(s); stop them first`);
    this.transition('Dead');
  }

  /** Throws if any partition is owned by two members, or a member owns a partition it does not subscribe to. For tests. */
  checkInvariants(): void {
    const owners = new Map<string, string>();
    for (const m of this.members.values()) {
      for (const [key, tp] of m.owned) {
        const other = owners.get(key);
        if (other) throw new Error(`${tp.topic}/${tp.partition} is owned by ${other} and ${m.id}`);
        owners.set(key, m.id);
      }
      for (const key of m.revoking.keys()) if (!m.owned.has(key)) throw new Error(`${m.id} revokes ${key} it does not own`);
    }
    if ((this.members.size === 0) !== (this.state === 'Empty' || this.state === 'Dead'))
      throw new Error(`state ${this.state} with ${this.members.size} members`);
  }

  private member(memberId: string): Member {
    const m = this.members.get(memberId);
    if (!m)
      throw new SamsaError(
        'UNKNOWN_MEMBER_ID',
        `member "${memberId}" is not in group "${this.groupId}" (expired, left or replaced); join again`,
      );
    return m;
  }

  private transition(next: GroupState): void {
    if (!LEGAL_PREVIOUS[next].includes(this.state)) {
      throw new SamsaError('INTERNAL_ERROR', `group "${this.groupId}": illegal transition ${this.state} -> ${next}`);
    }
    this.state = next;
  }

  /** New generation, new target; revoke what must move, grant what is free. */
  private rebalance(): MemberEvent[] {
    if (this.members.size === 0) {
      this.generationId++;
      this.transition('Empty');
      return [];
    }
    this.generationId++;
    const now = this.clock.nowMs();
    // Drop partitions that no longer exist (topic deleted or shrunk): nobody can read them.
    for (const m of this.members.values()) {
      for (const [key, tp] of [...m.owned]) {
        if (tp.partition < (this.partitionCounts.get(tp.topic) ?? 0)) continue;
        m.owned.delete(key);
        m.revoking.delete(key);
      }
    }
    const target = ASSIGNORS[this.assignorName]({
      members: [...this.members.values()].map((m) => ({ id: m.id, topics: m.topics, owned: sortedValues(m.owned) })),
      partitions: this.partitionCounts,
    });
    const events: MemberEvent[] = [];
    for (const m of this.members.values()) {
      m.target = target.get(m.id) ?? [];
      const wanted = new Set(m.target.map(tpKey));
      const newlyRevoked: TopicPartition[] = [];
      for (const [key, tp] of m.owned) {
        if (!wanted.has(key) && !m.revoking.has(key)) {
          m.revoking.set(key, tp);
          newlyRevoked.push(tp);
        }
      }
      if (newlyRevoked.length > 0) m.revokingSinceMs = now;
    }
    // Free partitions go to their new owners now; then every member hears of the new generation
    // (what it may read), and those that must give something up are told to.
    this.grantFree();
    for (const m of this.members.values()) events.push(this.assignmentOf(m));
    for (const m of this.members.values()) {
      if (m.revoking.size > 0) events.push({ kind: 'revoke', memberId: m.id, partitions: sortedValues(m.revoking) });
    }
    this.settleState();
    return events;
  }

  /** Grants target partitions nobody owns; returns the members whose readable set grew. */
  private grantFree(): Set<string> {
    const owned = new Set<string>();
    for (const m of this.members.values()) for (const key of m.owned.keys()) owned.add(key);
    const changed = new Set<string>();
    for (const m of this.members.values()) {
      for (const tp of m.target) {
        const key = tpKey(tp);
        if (owned.has(key)) continue;
        m.owned.set(key, { topic: tp.topic, partition: tp.partition });
        owned.add(key);
        changed.add(m.id);
      }
    }
    return changed;
  }

  /** After revocations: grant what became free and tell those members. */
  private grant(): MemberEvent[] {
    const changed = this.grantFree();
    this.settleState();
    return [...changed].map((id) => this.assignmentOf(this.members.get(id) as Member));
  }

  private settleState(): void {
    const pending = [...this.members.values()].some((m) => m.revoking.size > 0 || m.target.some((tp) => !m.owned.has(tpKey(tp))));
    this.transition(this.members.size === 0 ? 'Empty' : pending ? 'Rebalancing' : 'Stable');
  }

  private assignmentOf(m: Member): MemberEvent {
    return { kind: 'assignment', memberId: m.id, generation: this.generationId, partitions: this.readable(m.id) };
  }
}

function sortedValues(map: ReadonlyMap<string, TopicPartition>): TopicPartition[] {
  return [...map.values()].sort(compareTp);
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return a.size === b.size && [...a].every(([t, n]) => b.get(t) === n);
}

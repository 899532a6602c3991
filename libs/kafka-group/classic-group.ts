/**
 * One consumer group under Kafka's classic protocol, as the Kafka gateway runs it (docs/adr/0046):
 * JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the offset-commit checks, with client-side
 * assignment exactly as Kafka's GroupCoordinator does it for the "consumer" protocol type: the
 * group leader's client computes the assignment and hands it over in SyncGroup; the group only
 * relays it. Committed offsets are not kept here: the gateway sends them to Samsa's coordinator
 * (services/kafka-gateway/apis/groups.ts).
 *
 * States (Kafka's ClassicGroupState, checked against {@link ENTERED_FROM} on every transition):
 * Empty -> PreparingRebalance (a member joined, left or timed out) -> CompletingRebalance (every
 * known member rejoined, or the rebalance timeout removed the rest; the generation is bumped and
 * JoinGroup answered) -> Stable (the leader's SyncGroup came). The last member leaving makes the
 * group Empty again (generation bumped); close() makes it Dead.
 *
 * Pure state: time comes from the Clock given, and nothing here sets a timer. The owner calls
 * {@link ClassicGroup.tick} now and then; it removes members whose session expired (a member with a
 * JoinGroup or SyncGroup waiting is alive: its request is its heartbeat) and, once the rebalance
 * timeout has passed, members that did not rejoin. JoinGroup and SyncGroup answers are promises
 * that settle when the group decides; every one settles at the latest when its member is removed or
 * the group is closed. Not safe for concurrent use (one event loop).
 */
import type { Clock } from '../runtime/index.js';
import { ERROR_CODES } from '../kafka-protocol/index.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** For each state, the states it may be entered from (Kafka's ClassicGroupState.validPreviousStates). */
export const ENTERED_FROM: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

/** The rebalance timeout when no member gave a longer one. */
const MIN_REBALANCE_TIMEOUT_MS = 1_000;

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinOptions {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly Protocol[];
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member with its metadata for the chosen protocol: for the leader only, else empty. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

export interface Member {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocols: readonly Protocol[];
  assignment: Buffer;
  lastHeartbeatMs: number;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  joining: ((r: JoinResult) => void) | undefined;
  /** Set while the member's SyncGroup waits for the leader's. */
  syncing: ((r: SyncResult) => void) | undefined;
}

const EMPTY = Buffer.alloc(0);

export class ClassicGroup {
  private current: GroupState = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocol: string | null = null;
  leader = '';
  readonly members = new Map<string, Member>();
  /** While PreparingRebalance: when members that have not rejoined are removed. */
  private rebalanceDeadlineMs: number | undefined;

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly newMemberId: (clientId: string) => string,
  ) {}

  get state(): GroupState {
    return this.current;
  }

  join(o: JoinOptions): Promise<JoinResult> {
    if (this.current === 'Dead') return Promise.resolve(failedJoin(ERROR_CODES.COORDINATOR_NOT_AVAILABLE, o.memberId));
    if (o.protocols.length === 0 || (this.members.size > 0 && o.protocolType !== this.protocolType))
      return Promise.resolve(failedJoin(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL, o.memberId));
    if (o.memberId !== '' && !this.members.has(o.memberId)) return Promise.resolve(failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, o.memberId));
    const now = this.clock.nowMs();
    const existing = this.members.get(o.memberId);
    // A member that rejoins with the same protocols once the group has decided needs no rebalance.
    if (
      existing &&
      existing.joining === undefined &&
      this.current !== 'PreparingRebalance' &&
      sameProtocols(existing.protocols, o.protocols)
    ) {
      existing.lastHeartbeatMs = now;
      return Promise.resolve(this.joinResult(existing));
    }
    const memberId = existing?.memberId ?? this.newMemberId(o.clientId);
    existing?.joining?.(failedJoin(ERROR_CODES.REBALANCE_IN_PROGRESS, memberId));
    existing?.syncing?.({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    const answer = new Promise<JoinResult>((resolve) => {
      this.members.set(memberId, {
        memberId,
        groupInstanceId: o.groupInstanceId,
        clientId: o.clientId,
        clientHost: o.clientHost,
        sessionTimeoutMs: o.sessionTimeoutMs,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs,
        protocols: o.protocols,
        assignment: existing?.assignment ?? EMPTY,
        lastHeartbeatMs: now,
        joining: resolve,
        syncing: undefined,
      });
    });
    this.protocolType = o.protocolType;
    this.prepareRebalance();
    this.maybeCompleteJoin();
    return answer;
  }

  sync(memberId: string, generation: number, assignments: readonly { memberId: string; assignment: Buffer }[]): Promise<SyncResult> {
    const fail = (errorCode: number): Promise<SyncResult> => Promise.resolve({ errorCode, assignment: EMPTY });
    if (this.current === 'Dead') return fail(ERROR_CODES.COORDINATOR_NOT_AVAILABLE);
    const m = this.members.get(memberId);
    if (!m) return fail(ERROR_CODES.UNKNOWN_MEMBER_ID);
    if (generation !== this.generation) return fail(ERROR_CODES.ILLEGAL_GENERATION);
    m.lastHeartbeatMs = this.clock.nowMs();
    if (this.current === 'PreparingRebalance') return fail(ERROR_CODES.REBALANCE_IN_PROGRESS);
    if (this.current === 'Stable') return Promise.resolve({ errorCode: ERROR_CODES.NONE, assignment: m.assignment });
    m.syncing?.({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    const answer = new Promise<SyncResult>((resolve) => {
      m.syncing = resolve;
    });
    if (memberId === this.leader) {
      for (const mm of this.members.values()) mm.assignment = assignments.find((a) => a.memberId === mm.memberId)?.assignment ?? EMPTY;
      this.transition('Stable');
      for (const mm of this.members.values()) {
        const resolve = mm.syncing;
        mm.syncing = undefined;
        resolve?.({ errorCode: ERROR_CODES.NONE, assignment: mm.assignment });
      }
    }
    return answer;
  }

  heartbeat(memberId: string, generation: number): number {
    if (this.current === 'Dead') return ERROR_CODES.COORDINATOR_NOT_AVAILABLE;
    const m = this.members.get(memberId);
    if (!m) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ERROR_CODES.ILLEGAL_GENERATION;
    m.lastHeartbeatMs = this.clock.nowMs();
    return this.current === 'PreparingRebalance' ? ERROR_CODES.REBALANCE_IN_PROGRESS : ERROR_CODES.NONE;
  }

  /**
   * Whether `memberId` at `generation` may commit offsets now, as Kafka decides: member "" with a
   * negative generation commits from outside, only while the group has no members; a member commits
   * with the current generation while Stable or PreparingRebalance (it may commit what it read
   * before it rejoins), and gets REBALANCE_IN_PROGRESS while CompletingRebalance.
   */
  commitCheck(memberId: string, generation: number): number {
    if (generation < 0 && memberId === '') return this.members.size === 0 ? ERROR_CODES.NONE : ERROR_CODES.ILLEGAL_GENERATION;
    const m = this.members.get(memberId);
    if (!m) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ERROR_CODES.ILLEGAL_GENERATION;
    if (this.current === 'CompletingRebalance') return ERROR_CODES.REBALANCE_IN_PROGRESS;
    m.lastHeartbeatMs = this.clock.nowMs();
    return ERROR_CODES.NONE;
  }

  leave(memberId: string): number {
    const m = this.members.get(memberId);
    if (!m) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    this.remove(m);
    return ERROR_CODES.NONE;
  }

  /** Removes members whose session expired and, past the rebalance timeout, those that did not rejoin. */
  tick(nowMs: number): void {
    for (const m of [...this.members.values()]) {
      const waiting = m.joining !== undefined || m.syncing !== undefined;
      if (!waiting && nowMs - m.lastHeartbeatMs > m.sessionTimeoutMs && this.members.get(m.memberId) === m) this.remove(m);
    }
    if (this.current !== 'PreparingRebalance' || this.rebalanceDeadlineMs === undefined || nowMs < this.rebalanceDeadlineMs) return;
    this.rebalanceDeadlineMs = undefined;
    for (const m of [...this.members.values()]) if (m.joining === undefined) this.members.delete(m.memberId);
    if (!this.members.has(this.leader)) this.leader = '';
    if (this.members.size === 0) this.becomeEmpty();
    else this.maybeCompleteJoin();
  }

  /** Every waiting JoinGroup and SyncGroup is answered COORDINATOR_NOT_AVAILABLE; the group is Dead. */
  close(): void {
    for (const m of this.members.values()) {
      m.joining?.(failedJoin(ERROR_CODES.COORDINATOR_NOT_AVAILABLE, m.memberId));
      m.syncing?.({ errorCode: ERROR_CODES.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY });
      m.joining = undefined;
      m.syncing = undefined;
    }
    this.members.clear();
    this.rebalanceDeadlineMs = undefined;
    this.transition('Dead');
  }

  private remove(m: Member): void {
    this.members.delete(m.memberId);
    m.joining?.(failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, m.memberId));
    m.syncing?.({ errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    m.joining = undefined;
    m.syncing = undefined;
    if (this.leader === m.memberId) this.leader = '';
    this.prepareRebalance();
    if (this.members.size === 0) this.becomeEmpty();
    else this.maybeCompleteJoin();
  }

  private becomeEmpty(): void {
    this.rebalanceDeadlineMs = undefined;
    this.generation++;
    this.leader = '';
    this.protocol = null;
    this.protocolType = null;
    this.transition('Empty');
  }

  private prepareRebalance(): void {
    if (this.current === 'PreparingRebalance') return;
    // Members waiting in a SyncGroup that will not complete are told to rejoin.
    for (const m of this.members.values()) {
      const resolve = m.syncing;
      m.syncing = undefined;
      resolve?.({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    this.transition('PreparingRebalance');
    const timeout = Math.max(MIN_REBALANCE_TIMEOUT_MS, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    this.rebalanceDeadlineMs = this.clock.nowMs() + timeout;
  }

  private maybeCompleteJoin(): void {
    if (this.current !== 'PreparingRebalance') return;
    const members = [...this.members.values()];
    if (members.length === 0 || members.some((m) => m.joining === undefined)) return;
    this.rebalanceDeadlineMs = undefined;
    this.generation++;
    if (!this.members.has(this.leader)) this.leader = (members[0] as Member).memberId;
    const leader = this.members.get(this.leader) as Member;
    this.protocol =
      leader.protocols.map((p) => p.name).find((name) => members.every((m) => m.protocols.some((p) => p.name === name))) ?? null;
    if (this.protocol === null) {
      // No protocol every member supports: all of them are refused, as Kafka does.
      for (const m of members) {
        this.members.delete(m.memberId);
        const resolve = m.joining;
        m.joining = undefined;
        resolve?.(failedJoin(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL, m.memberId));
      }
      this.becomeEmpty();
      return;
    }
    this.transition('CompletingRebalance');
    const now = this.clock.nowMs();
    for (const m of members) {
      const resolve = m.joining;
      m.joining = undefined;
      m.lastHeartbeatMs = now;
      resolve?.(this.joinResult(m));
    }
  }

  private transition(to: GroupState): void {
    if (!ENTERED_FROM[to].includes(this.current))
      throw new Error(`group "${this.groupId}": ${this.current} -> ${to} is not a transition of Kafka's classic protocol (a bug)`);
    this.current = to;
  }

  private joinResult(m: Member): JoinResult {
    const isLeader = m.memberId === this.leader;
    return {
      errorCode: ERROR_CODES.NONE,
      generationId: this.generation,
      protocolType: this.protocolType,
      protocolName: this.protocol,
      leader: this.leader,
      memberId: m.memberId,
      members: isLeader
        ? [...this.members.values()].map((x) => ({
            memberId: x.memberId,
            groupInstanceId: x.groupInstanceId,
            metadata: x.protocols.find((p) => p.name === this.protocol)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }
}

function failedJoin(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]?.metadata ?? EMPTY));
}

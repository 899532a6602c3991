/**
 * Kafka's classic consumer-group protocol, run by the gateway itself (docs/adr/0046): JoinGroup,
 * SyncGroup, Heartbeat and LeaveGroup with client-side assignment, exactly as Kafka's
 * GroupCoordinator does it for the "consumer" protocol type: the group leader's client computes
 * the assignment and hands it over in SyncGroup; the gateway only relays it. Committed offsets are
 * not kept here: they go to Samsa's coordinator (apis/groups.ts), so Samsa's tools see them.
 *
 * States (Kafka's ClassicGroupState): Empty -> PreparingRebalance (a member joined, left or timed
 * out) -> CompletingRebalance (every known member rejoined, or the rebalance timeout removed the
 * rest; the generation is bumped and JoinGroup answered) -> Stable (the leader's SyncGroup came).
 * A member is alive while it heartbeats within its session timeout; one that does not is removed
 * and the group rebalances.
 *
 * The state lives in this process: one gateway runs a given group (with several gateways, point a
 * group's clients at one of them; docs/kafka-compatibility.md). Not safe to share across processes.
 */
import { randomUUID } from 'node:crypto';
import { ERROR_CODES } from '../../../libs/kafka-protocol/index.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinOptions {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly { name: string; metadata: Buffer }[];
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly { name: string; metadata: Buffer }[];
  assignment: Buffer;
  lastHeartbeatMs: number;
  joining: ((r: JoinResult) => void) | undefined;
  syncing: ((r: { errorCode: number; assignment: Buffer }) => void) | undefined;
}

export class ClassicGroup {
  state: GroupState = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocol: string | null = null;
  leader = '';
  readonly members = new Map<string, Member>();
  private rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(readonly groupId: string) {}

  join(o: JoinOptions): Promise<JoinResult> {
    if (this.protocolType !== null && this.members.size > 0 && o.protocolType !== this.protocolType)
      return Promise.resolve(this.failedJoin(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL, o.memberId));
    if (o.protocols.length === 0) return Promise.resolve(this.failedJoin(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL, o.memberId));
    let memberId = o.memberId;
    if (memberId !== '' && !this.members.has(memberId)) return Promise.resolve(this.failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, memberId));
    if (memberId === '') memberId = `${o.clientId || 'member'}-${randomUUID()}`;
    const existing = this.members.get(memberId);
    const member: Member = {
      memberId,
      groupInstanceId: o.groupInstanceId,
      clientId: o.clientId,
      clientHost: o.clientHost,
      sessionTimeoutMs: o.sessionTimeoutMs,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs,
      protocols: o.protocols,
      assignment: existing?.assignment ?? Buffer.alloc(0),
      lastHeartbeatMs: Date.now(),
      joining: undefined,
      syncing: undefined,
    };
    // A member that rejoins with the same protocols while Stable needs no rebalance: answer at once.
    if (existing && this.state === 'Stable' && sameProtocols(existing.protocols, o.protocols)) {
      existing.lastHeartbeatMs = Date.now();
      return Promise.resolve(this.joinResult(existing));
    }
    existing?.syncing?.({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    this.members.set(memberId, member);
    this.protocolType = o.protocolType;
    const answer = new Promise<JoinResult>((resolve) => {
      member.joining = resolve;
    });
    this.prepareRebalance();
    this.maybeCompleteJoin();
    return answer;
  }

  sync(
    memberId: string,
    generation: number,
    assignments: readonly { memberId: string; assignment: Buffer }[],
  ): Promise<{ errorCode: number; assignment: Buffer }> {
    const m = this.members.get(memberId);
    if (!m) return Promise.resolve({ errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    if (generation !== this.generation) return Promise.resolve({ errorCode: ERROR_CODES.ILLEGAL_GENERATION, assignment: Buffer.alloc(0) });
    m.lastHeartbeatMs = Date.now();
    if (this.state === 'PreparingRebalance')
      return Promise.resolve({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    if (this.state === 'Stable') return Promise.resolve({ errorCode: ERROR_CODES.NONE, assignment: m.assignment });
    const answer = new Promise<{ errorCode: number; assignment: Buffer }>((resolve) => {
      m.syncing = resolve;
    });
    if (memberId === this.leader) {
      for (const mm of this.members.values())
        mm.assignment = assignments.find((a) => a.memberId === mm.memberId)?.assignment ?? Buffer.alloc(0);
      this.state = 'Stable';
      for (const mm of this.members.values()) {
        mm.syncing?.({ errorCode: ERROR_CODES.NONE, assignment: mm.assignment });
        mm.syncing = undefined;
      }
    }
    return answer;
  }

  heartbeat(memberId: string, generation: number): number {
    const m = this.members.get(memberId);
    if (!m) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    m.lastHeartbeatMs = Date.now();
    if (generation !== this.generation) return ERROR_CODES.ILLEGAL_GENERATION;
    if (this.state === 'PreparingRebalance') return ERROR_CODES.REBALANCE_IN_PROGRESS;
    return ERROR_CODES.NONE;
  }

  /** Whether `memberId` at `generation` may commit (Kafka's checks; -1/"" is a commit from outside the group). */
  commitCheck(memberId: string, generation: number): number {
    if (generation < 0 && memberId === '') return this.members.size === 0 ? ERROR_CODES.NONE : ERROR_CODES.ILLEGAL_GENERATION;
    const m = this.members.get(memberId);
    if (!m) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ERROR_CODES.ILLEGAL_GENERATION;
    if (this.state === 'PreparingRebalance') return ERROR_CODES.REBALANCE_IN_PROGRESS;
    m.lastHeartbeatMs = Date.now();
    return ERROR_CODES.NONE;
  }

  leave(memberId: string): number {
    const m = this.members.get(memberId);
    if (!m) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    this.remove(m);
    return ERROR_CODES.NONE;
  }

  /** Removes members whose session expired; called periodically. */
  expire(nowMs: number): void {
    for (const m of [...this.members.values()]) {
      // A member waiting in JoinGroup is alive (its request is the heartbeat).
      if (m.joining === undefined && nowMs - m.lastHeartbeatMs > m.sessionTimeoutMs) this.remove(m);
    }
  }

  close(): void {
    clearTimeout(this.rebalanceTimer);
    for (const m of this.members.values()) {
      m.joining?.(this.failedJoin(ERROR_CODES.COORDINATOR_NOT_AVAILABLE, m.memberId));
      m.syncing?.({ errorCode: ERROR_CODES.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0) });
    }
    this.members.clear();
    this.state = 'Dead';
  }

  private remove(m: Member): void {
    this.members.delete(m.memberId);
    m.joining?.(this.failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, m.memberId));
    m.syncing?.({ errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    if (this.members.size === 0) {
      clearTimeout(this.rebalanceTimer);
      this.rebalanceTimer = undefined;
      this.state = 'Empty';
      this.leader = '';
      this.protocol = null;
      this.generation++;
      return;
    }
    if (this.leader === m.memberId) this.leader = '';
    this.prepareRebalance();
    this.maybeCompleteJoin();
  }

  private prepareRebalance(): void {
    if (this.state === 'PreparingRebalance') return;
    // Members in a sync that will not complete are told to rejoin.
    for (const mm of this.members.values()) {
      mm.syncing?.({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
      mm.syncing = undefined;
    }
    this.state = 'PreparingRebalance';
    const timeout = Math.max(...[...this.members.values()].map((m) => m.rebalanceTimeoutMs), 1_000);
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = undefined;
      // Members that did not rejoin in time are out.
      for (const m of [...this.members.values()]) if (m.joining === undefined) this.members.delete(m.memberId);
      this.maybeCompleteJoin();
    }, timeout);
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    const members = [...this.members.values()];
    if (members.length === 0 || members.some((m) => m.joining === undefined)) return;
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    this.generation++;
    if (!this.members.has(this.leader)) this.leader = (members[0] as Member).memberId;
    const leader = this.members.get(this.leader) as Member;
    this.protocol =
      leader.protocols.map((p) => p.name).find((name) => members.every((m) => m.protocols.some((p) => p.name === name))) ?? null;
    if (this.protocol === null) {
      for (const m of members) {
        m.joining?.(this.failedJoin(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL, m.memberId));
        this.members.delete(m.memberId);
      }
      this.state = 'Empty';
      return;
    }
    this.state = 'CompletingRebalance';
    for (const m of members) {
      const resolve = m.joining;
      m.joining = undefined;
      m.lastHeartbeatMs = Date.now();
      resolve?.(this.joinResult(m));
    }
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
            metadata: x.protocols.find((p) => p.name === this.protocol)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    };
  }

  private failedJoin(errorCode: number, memberId: string): JoinResult {
    return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
  }
}

function sameProtocols(a: readonly { name: string; metadata: Buffer }[], b: readonly { name: string; metadata: Buffer }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]?.metadata ?? Buffer.alloc(0)));
}

/** Every classic group of this gateway, and the timer that expires sessions. Closed by the gateway. */
export class ClassicGroups {
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly timer: NodeJS.Timeout;

  constructor(sweepMs = 1_000) {
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const g of this.groups.values()) g.expire(now);
    }, sweepMs);
    this.timer.unref();
  }

  get(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  getOrCreate(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new ClassicGroup(groupId)));
    return g;
  }

  all(): ClassicGroup[] {
    return [...this.groups.values()];
  }

  close(): void {
    clearInterval(this.timer);
    for (const g of this.groups.values()) g.close();
    this.groups.clear();
  }
}

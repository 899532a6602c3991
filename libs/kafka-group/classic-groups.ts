/**
 * Every classic group a Kafka gateway runs (classic-group.ts holds one group's state), and the
 * one timer that ticks them: session expiry and rebalance timeouts, once a `sweepMs`. A group that
 * the sweep or a LeaveGroup leaves without members is reported to `onEmptied` (the gateway then
 * releases its hold in Samsa's coordinator, docs/adr/0050) and forgotten.
 *
 * The state lives in this process: a group's Kafka clients must all use one gateway, which Samsa's
 * coordinator enforces through the hold (another gateway's JoinGroup is refused while it lasts).
 * Closed by the gateway at shutdown: every waiting JoinGroup and SyncGroup is answered.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../runtime/index.js';
import { ClassicGroup } from './classic-group.js';

export interface ClassicGroupsOptions {
  clock?: Clock;
  /** How often sessions and rebalance timeouts are checked. Default 1000 ms. */
  sweepMs?: number;
  /** Called when a group has no members left (its last member left or expired, or its first JoinGroup failed); it is forgotten. */
  onEmptied?: (groupId: string) => void;
}

export class ClassicGroups {
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly timer: NodeJS.Timeout;
  private readonly clock: Clock;

  constructor(private readonly options: ClassicGroupsOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.timer = setInterval(() => this.sweep(), options.sweepMs ?? 1_000);
    this.timer.unref();
  }

  get(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  getOrCreate(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new ClassicGroup(groupId, this.clock, (clientId) => `${clientId || 'member'}-${randomUUID()}`)));
    return g;
  }

  all(): ClassicGroup[] {
    return [...this.groups.values()];
  }

  /** After a JoinGroup, a LeaveGroup or a tick: forget `group` if it has no members, and report it. */
  settle(group: ClassicGroup): void {
    if (group.members.size > 0 || this.groups.get(group.groupId) !== group) return;
    this.groups.delete(group.groupId);
    this.options.onEmptied?.(group.groupId);
  }

  /** One tick of every group (the timer's work; callable by tests). */
  sweep(): void {
    const now = this.clock.nowMs();
    for (const g of [...this.groups.values()]) {
      g.tick(now);
      this.settle(g);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const g of this.groups.values()) g.close();
    this.groups.clear();
  }
}

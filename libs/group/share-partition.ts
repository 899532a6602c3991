/**
 * Why one file (~510 lines): the state machine below, its snapshot and its restore act on the same
 * slots and must agree record by record; splitting them would spread one table over files.
 *
 * The records of one partition of a share group in flight (issue 20, ADR 0049), as a pure state
 * machine: no timers, no I/O; time comes from the injected clock. Its owner (a coordinator session)
 * appends records read from the partition's leader, hands them to members with `acquire`, and
 * applies the members' answers. Kafka's share-partition (KIP-932) is the model.
 *
 * Every record from the start offset on is in one state:
 *
 *   available --acquire--> acquired --ack-----------> acked
 *       ^                      |------release/expire--> available (at once, or after a delay)
 *       |                      |------reject----------> dead-lettering --deadLettered--> archived
 *       +-----------------------------(acquire of a record past max attempts)-> dead-lettering
 *
 * - `acquire` gives a member records under a lease (`leaseMs`), each with its delivery count
 *   (1 on the first delivery), up to the member's limit in records and bytes. A record that has
 *   been delivered `maxDeliveryAttempts` times and comes back is not delivered again: it is handed
 *   out for dead-lettering instead (then `deadLettered` archives it). So is a rejected record.
 * - Answers (ack, release, reject, extend) count only from the member that holds the record's lease
 *   now; an answer for a record whose lease ran out (and may be someone else's now) is ignored.
 * - Key-ordered mode: a record with a key is acquirable only when no record of that key below it is
 *   still to do (available, acquired or being dead-lettered), so one key is never in flight at two
 *   members and each key's records are delivered in offset order. Records without a key go anywhere.
 * - The start offset moves past records acked or archived, in order; what is below it is done.
 *
 * Durable state (ADR 0053): `snapshot()` is what must survive a failover, as runs of consecutive
 * records from the start offset on: acked, archived (dead-lettered), being dead-lettered (with the
 * reason), or delivered n times and not done. Leases are not in it (a new owner starts with every
 * record not done available again, as Kafka does), nor delayed releases. A partition made with a
 * snapshot applies it to the records as they are appended again.
 *
 * Not safe for concurrent use: call it from one event loop, one call at a time.
 */
import type { Clock } from '../runtime/index.js';

export type ShareRecordState = 'available' | 'acquired' | 'acked' | 'dead-lettering' | 'archived';

export interface ShareConfig {
  leaseMs: number;
  maxDeliveryAttempts: number;
  keyOrdered: boolean;
}

export const DEFAULT_SHARE_CONFIG: ShareConfig = { leaseMs: 30_000, maxDeliveryAttempts: 5, keyOrdered: false };

/** What the state needs of a record: its offset, its key (any stable string; undefined without one) and its size. */
export interface ShareRecordInfo {
  offset: number;
  key: string | undefined;
  bytes: number;
}

export interface Delivery {
  offset: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
}

/** A member asking for records, with what it may still take (ShareGroup works these out). */
export interface ShareTaker {
  member: string;
  records: number;
  bytes: number;
  /** Never more than `bytes`, not even one record (the member already holds some). */
  strictBytes?: boolean;
}

export type DeadLetterReason = 'rejected' | 'max-delivery-attempts';

export interface DeadLetter {
  offset: number;
  reason: DeadLetterReason;
  deliveryCount: number;
}

interface Slot {
  readonly offset: number;
  readonly key: string | undefined;
  readonly bytes: number;
  state: ShareRecordState;
  deliveries: number;
  member: string | undefined;
  leaseUntil: number;
  /** While available: not before this time (a delayed release). */
  availableAt: number;
  /** While dead-lettering: why. */
  reason?: DeadLetterReason;
}

/**
 * Runs `[from, to, state, deliveries]` (inclusive offsets, ascending, not overlapping) of records at
 * or above the start offset whose state is not "available, never delivered". State codes: 'a'
 * acked, 'x' archived (dead-lettered), 'r' being dead-lettered as rejected, 'm' being dead-lettered
 * after max delivery attempts, 'd' delivered `deliveries` times and not done (in flight or
 * available again). Stored as JSON in __consumer_offsets (offsets-log.ts): short codes, no names.
 */
export type ShareRun = [from: number, to: number, state: 'a' | 'x' | 'r' | 'm' | 'd', deliveries: number];
export type ShareSnapshot = ShareRun[];

/** What is stored per partition (offsets-log.ts "share"): the runs, and the acked and dead-lettered totals. */
export interface StoredShareState {
  runs: ShareSnapshot;
  acked: number;
  deadLettered: number;
}

/** The stored state read back, checked: undefined when it is not one (an older writer, a bad value). */
export function parseStoredShareState(raw: unknown): StoredShareState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { runs, acked, deadLettered } = raw as Record<string, unknown>;
  const parsed = parseShareSnapshot(runs);
  if (!parsed || !Number.isSafeInteger(acked) || !Number.isSafeInteger(deadLettered)) return undefined;
  return { runs: parsed, acked: acked as number, deadLettered: deadLettered as number };
}

/** Runs read back from storage, checked: undefined when they are not. */
export function parseShareSnapshot(raw: unknown): ShareSnapshot | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: ShareSnapshot = [];
  let last = -1;
  for (const r of raw as unknown[]) {
    if (!Array.isArray(r) || r.length !== 4) return undefined;
    const [from, to, state, deliveries] = r as unknown[];
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || !Number.isSafeInteger(deliveries)) return undefined;
    if ((from as number) <= last || (to as number) < (from as number) || (deliveries as number) < 0) return undefined;
    if (state !== 'a' && state !== 'x' && state !== 'r' && state !== 'm' && state !== 'd') return undefined;
    out.push([from as number, to as number, state, deliveries as number]);
    last = to as number;
  }
  return out;
}

export interface ShareCounts {
  available: number;
  inFlight: number;
  /** Acked since this state was made (including those below the start offset), plus the restored total. */
  acked: number;
  deadLettered: number;
}

export class SharePartition {
  /** Slots from the start offset on, in offset order (offsets may have gaps: compaction). */
  private slots: Slot[] = [];
  private start: number;
  private end: number;
  private ackedTotal = 0;
  private deadLetteredTotal = 0;
  /** Done in this state's lifetime (not restored): for metrics that must only grow per process. */
  private ackedHere = 0;
  private deadLetteredHere = 0;
  private expiredHere = 0;
  /** Runs of a snapshot still to apply to records appended from now on. */
  private restoring: ShareSnapshot;

  /** Counts restored with the snapshot already include its acked and archived runs. */
  private readonly countsRestored: boolean;

  /**
   * `restored`: the snapshot a previous owner wrote with this start offset (runs below it are
   * ignored); `totals`: the acked and dead-lettered counts written with it.
   */
  constructor(
    startOffset: number,
    private readonly config: ShareConfig,
    private readonly clock: Clock,
    restored: ShareSnapshot = [],
    totals?: { acked: number; deadLettered: number },
  ) {
    this.start = startOffset;
    this.end = startOffset;
    this.restoring = restored.filter((r) => r[1] >= startOffset);
    this.countsRestored = totals !== undefined;
    this.ackedTotal = totals?.acked ?? 0;
    this.deadLetteredTotal = totals?.deadLettered ?? 0;
  }

  /**
   * The durable state (module comment): runs from the start offset on, consecutive slots with the
   * same state and delivery count merged (offset gaps included). Plus the runs of the snapshot
   * this partition was made with that lie beyond what was read again so far.
   */
  snapshot(): ShareSnapshot {
    const out: ShareSnapshot = [];
    // True while the previous slot ended the last run: a run extends only over adjacent slots.
    let extending = false;
    for (const s of this.slots) {
      const code = codeOf(s);
      if (code === undefined) {
        extending = false;
        continue;
      }
      const deliveries = code === 'a' || code === 'x' ? 0 : s.deliveries;
      const last = out.at(-1);
      if (extending && last && last[2] === code && last[3] === deliveries) last[1] = s.offset;
      else out.push([s.offset, s.offset, code, deliveries]);
      extending = true;
    }
    for (const r of this.restoring) if (r[1] >= this.end) out.push([Math.max(r[0], this.end), r[1], r[2], r[3]]);
    return out;
  }

  /** Every record below it is acked or archived. */
  get startOffset(): number {
    return this.start;
  }

  /** The offset after the last record appended: where reading from the leader goes on. */
  get endOffset(): number {
    return this.end;
  }

  /** Records from the start offset on (the window the owner keeps in memory). */
  get size(): number {
    return this.slots.length;
  }

  /**
   * Records read from the leader, in offset order after everything appended before; older ones are
   * ignored. Records a restored snapshot says were being dead-lettered come back, to be sent again.
   */
  append(records: readonly ShareRecordInfo[]): DeadLetter[] {
    const again: DeadLetter[] = [];
    for (const r of records) {
      if (r.offset < this.end) continue;
      const slot: Slot = {
        offset: r.offset,
        key: r.key,
        bytes: r.bytes,
        state: 'available',
        deliveries: 0,
        member: undefined,
        leaseUntil: 0,
        availableAt: 0,
      };
      this.restore(slot, again);
      this.slots.push(slot);
      this.end = r.offset + 1;
    }
    if (this.restoring.length > 0) this.restoring = this.restoring.filter((run) => run[1] >= this.end);
    this.advance();
    return again;
  }

  /** Applies the restored run covering the slot, if any (runs ahead of it are dropped as passed). */
  private restore(slot: Slot, again: DeadLetter[]): void {
    while (this.restoring.length > 0 && (this.restoring[0] as ShareRun)[1] < slot.offset) this.restoring.shift();
    const run = this.restoring[0];
    if (!run || run[0] > slot.offset) return;
    const [, , code, deliveries] = run;
    slot.deliveries = deliveries;
    if (code === 'a') {
      slot.state = 'acked';
      if (!this.countsRestored) this.ackedTotal++;
    } else if (code === 'x') {
      slot.state = 'archived';
      if (!this.countsRestored) this.deadLetteredTotal++;
    } else if (code === 'r' || code === 'm') {
      slot.state = 'dead-lettering';
      slot.reason = code === 'r' ? 'rejected' : 'max-delivery-attempts';
      again.push({ offset: slot.offset, reason: slot.reason, deliveryCount: deliveries });
    }
  }

  /**
   * Leases available records to `member`, in offset order, until its limits (records and bytes;
   * at least one record when it has room for any, unless `limit.strictBytes`: then a record that
   * does not fit in `limit.bytes` is never taken, for a member that already holds some). Records
   * past their delivery attempts come back in `deadLetter` instead (now 'dead-lettering'), whatever
   * the limits.
   */
  acquire(
    member: string,
    limit: { records: number; bytes: number; strictBytes?: boolean },
  ): { acquired: Delivery[]; deadLetter: DeadLetter[] } {
    const { acquired, deadLetter } = this.acquireFor([{ member, ...limit }]);
    return { acquired: acquired.map(({ offset, deliveryCount }) => ({ offset, deliveryCount })), deadLetter };
  }

  /**
   * `acquire` for several members in one pass over the window: each acquirable record goes to the
   * next member in turn (from the first) that has room for it, so records spread over the members.
   */
  acquireFor(takers: readonly ShareTaker[]): { acquired: (Delivery & { member: string })[]; deadLetter: DeadLetter[] } {
    const now = this.clock.nowMs();
    this.expire();
    const acquired: (Delivery & { member: string })[] = [];
    const deadLetter: DeadLetter[] = [];
    const room = takers.map((t) => ({ t, taken: 0, used: 0 }));
    let open = room.filter((r) => r.t.records > 0).length;
    let turn = 0;
    const blockedKeys = this.config.keyOrdered ? new Set<string>() : undefined;
    for (const s of this.slots) {
      if (open === 0) break;
      const keyBlocked = blockedKeys !== undefined && s.key !== undefined && blockedKeys.has(s.key);
      if (blockedKeys && s.key !== undefined && (s.state === 'available' || s.state === 'acquired' || s.state === 'dead-lettering'))
        blockedKeys.add(s.key);
      if (s.state !== 'available' || s.availableAt > now || keyBlocked) continue;
      if (s.deliveries >= this.config.maxDeliveryAttempts) {
        s.state = 'dead-lettering';
        s.reason = 'max-delivery-attempts';
        s.member = undefined;
        deadLetter.push({ offset: s.offset, reason: 'max-delivery-attempts', deliveryCount: s.deliveries });
        continue;
      }
      let taker: (typeof room)[number] | undefined;
      for (let i = 0; i < room.length && !taker; i++) {
        const r = room[(turn + i) % room.length] as (typeof room)[number];
        if (r.taken >= r.t.records) continue;
        if ((r.taken > 0 || r.t.strictBytes === true) && r.used + s.bytes > r.t.bytes) continue;
        taker = r;
        turn = (turn + i + 1) % room.length;
      }
      if (!taker) {
        // Nobody has room for this record: a smaller one further on may still fit someone, but
        // offset order first (as Kafka does): stop here.
        break;
      }
      taker.taken++;
      taker.used += s.bytes;
      if (taker.taken >= taker.t.records) open--;
      s.state = 'acquired';
      s.member = taker.t.member;
      s.deliveries++;
      s.leaseUntil = now + this.config.leaseMs;
      acquired.push({ offset: s.offset, deliveryCount: s.deliveries, member: taker.t.member });
    }
    return { acquired, deadLetter };
  }

  /** Done with records in [from, to] that `member` holds. Returns how many it held. */
  ack(member: string, from: number, to: number): number {
    let n = 0;
    for (const s of this.held(member, from, to)) {
      s.state = 'acked';
      s.member = undefined;
      this.ackedTotal++;
      this.ackedHere++;
      n++;
    }
    this.advance();
    return n;
  }

  /** Gives records back, available again now or after `delayMs`. Returns how many it held. */
  release(member: string, from: number, to: number, delayMs = 0): number {
    let n = 0;
    const at = this.clock.nowMs() + Math.max(0, delayMs);
    for (const s of this.held(member, from, to)) {
      s.state = 'available';
      s.member = undefined;
      s.availableAt = at;
      n++;
    }
    return n;
  }

  /** Poison: these records are never delivered again; they come back to be dead-lettered. */
  reject(member: string, from: number, to: number): DeadLetter[] {
    const out: DeadLetter[] = [];
    for (const s of this.held(member, from, to)) {
      s.state = 'dead-lettering';
      s.reason = 'rejected';
      s.member = undefined;
      out.push({ offset: s.offset, reason: 'rejected', deliveryCount: s.deliveries });
    }
    return out;
  }

  /** Renews the leases of records in [from, to] that `member` holds. Returns how many. */
  extend(member: string, from: number, to: number): number {
    const until = this.clock.nowMs() + this.config.leaseMs;
    let n = 0;
    for (const s of this.held(member, from, to)) {
      s.leaseUntil = until;
      n++;
    }
    return n;
  }

  /** A record handed out for dead-lettering is in the dead-letter topic now (durably): archive it. */
  deadLettered(offset: number): void {
    const s = this.slotAt(offset);
    if (!s || s.state !== 'dead-lettering') return;
    s.state = 'archived';
    this.deadLetteredTotal++;
    this.deadLetteredHere++;
    this.advance();
  }

  /** Dead-lettering failed (the producer gave up): the record is available again, to be tried anew. */
  deadLetterFailed(offset: number): void {
    const s = this.slotAt(offset);
    if (s?.state === 'dead-lettering') s.state = 'available';
  }

  /** Records whose lease ran out are available again (their delivery counts stay). Returns how many. */
  expire(): number {
    const now = this.clock.nowMs();
    let n = 0;
    for (const s of this.slots) {
      if (s.state !== 'acquired' || s.leaseUntil > now) continue;
      s.state = 'available';
      s.member = undefined;
      s.availableAt = 0;
      n++;
    }
    this.expiredHere += n;
    return n;
  }

  /** The member left or was removed: everything it holds is available again. Returns how many. */
  memberGone(member: string): number {
    let n = 0;
    for (const s of this.slots) {
      if (s.state !== 'acquired' || s.member !== member) continue;
      s.state = 'available';
      s.member = undefined;
      s.availableAt = 0;
      n++;
    }
    return n;
  }

  /** When something changes by itself next (a lease running out, a delayed release coming back), or undefined. */
  nextChange(): number | undefined {
    let next: number | undefined;
    for (const s of this.slots) {
      const at = s.state === 'acquired' ? s.leaseUntil : s.state === 'available' && s.availableAt > 0 ? s.availableAt : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** True when some record is available now (for a member with room). */
  hasAvailable(): boolean {
    const now = this.clock.nowMs();
    return this.slots.some((s) => s.state === 'available' && s.availableAt <= now);
  }

  /** The state of one record, or undefined when it is below the start offset (done) or not read yet. */
  stateOf(offset: number): { state: ShareRecordState; deliveries: number; member: string | undefined } | undefined {
    const s = this.slotAt(offset);
    return s && { state: s.state, deliveries: s.deliveries, member: s.member };
  }

  counts(): ShareCounts {
    let available = 0;
    let inFlight = 0;
    for (const s of this.slots) {
      if (s.state === 'available') available++;
      else if (s.state === 'acquired') inFlight++;
    }
    return { available, inFlight, acked: this.ackedTotal, deadLettered: this.deadLetteredTotal };
  }

  /** Acked, dead-lettered and leases run out in this state's lifetime only (not restored). */
  activity(): { acked: number; deadLettered: number; leaseExpiries: number } {
    return { acked: this.ackedHere, deadLettered: this.deadLetteredHere, leaseExpiries: this.expiredHere };
  }

  /** Index of the first slot at or after `offset` (slots are in offset order): a binary search. */
  private indexFrom(offset: number): number {
    let lo = 0;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.slots[mid] as Slot).offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private slotAt(offset: number): Slot | undefined {
    const s = this.slots[this.indexFrom(offset)];
    return s?.offset === offset ? s : undefined;
  }

  private *held(member: string, from: number, to: number): Generator<Slot> {
    const now = this.clock.nowMs();
    for (let i = this.indexFrom(from); i < this.slots.length; i++) {
      const s = this.slots[i] as Slot;
      if (s.offset > to) break;
      if (s.state === 'acquired' && s.member === member && s.leaseUntil > now) yield s;
    }
  }

  private advance(): void {
    let i = 0;
    while (i < this.slots.length && ((this.slots[i] as Slot).state === 'acked' || (this.slots[i] as Slot).state === 'archived')) i++;
    if (i === 0) return;
    this.start = i < this.slots.length ? (this.slots[i] as Slot).offset : this.end;
    this.slots = this.slots.slice(i);
  }
}

function codeOf(s: Slot): ShareRun[2] | undefined {
  switch (s.state) {
    case 'acked':
      return 'a';
    case 'archived':
      return 'x';
    case 'dead-lettering':
      return s.reason === 'rejected' ? 'r' : 'm';
    default:
      return s.deliveries > 0 ? 'd' : undefined;
  }
}

/**
 * What one relay-mode GroupConsume member holds (issue 20 item 2, StreamingPull-style flow
 * control): the records sent to it and not yet reported `processed`, over all its partitions,
 * against the limits it declared in its join (`max_records`, `max_bytes`; 0: no limit). The
 * member session asks `fit` before each send and sends only that many records of its chunk, then
 * waits on `room()` until `processed` reports release some. So a member that stops reporting (slow,
 * hung, SIGSTOPped) holds at most its limits, not whatever the stream's window lets through.
 *
 * One record larger than `max_bytes` still goes to a member that holds nothing (or it could never
 * be delivered). Offsets within a partition are sent in order, so a `processed` offset releases a
 * prefix of what that partition holds. Pure and synchronous but for `room()`; one event loop.
 */
export interface HeldRecord {
  offset: number;
  bytes: number;
}

export class MemberHoldings {
  /** Per partition key, in offset order. */
  private readonly held = new Map<string, HeldRecord[]>();
  private records = 0;
  private bytes = 0;
  private waiters: (() => void)[] = [];

  constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
  ) {}

  /** True when the member declared a limit (otherwise nothing needs tracking). */
  get limited(): boolean {
    return this.maxRecords > 0 || this.maxBytes > 0;
  }

  get heldRecords(): number {
    return this.records;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** How many of the records of `sizes` (bytes each, in send order) may be sent now: 0 at a limit. */
  fit(sizes: readonly number[]): number {
    let records = this.records;
    let bytes = this.bytes;
    let n = 0;
    for (const size of sizes) {
      if (this.maxRecords > 0 && records + 1 > this.maxRecords) break;
      if (this.maxBytes > 0 && records > 0 && bytes + size > this.maxBytes) break;
      records++;
      bytes += size;
      n++;
    }
    return n;
  }

  /** These records of partition `key` were sent (after `fit` allowed them). */
  hold(key: string, records: readonly HeldRecord[]): void {
    if (records.length === 0) return;
    let list = this.held.get(key);
    if (!list) this.held.set(key, (list = []));
    for (const r of records) {
      list.push(r);
      this.records++;
      this.bytes += r.bytes;
    }
  }

  /** The member processed partition `key` up to `offset` (exclusive): what it held below is released. */
  processed(key: string, offset: number): void {
    const list = this.held.get(key);
    if (!list) return;
    let i = 0;
    while (i < list.length && (list[i] as HeldRecord).offset < offset) {
      this.records--;
      this.bytes -= (list[i] as HeldRecord).bytes;
      i++;
    }
    if (i === 0) return;
    if (i === list.length) this.held.delete(key);
    else this.held.set(key, list.slice(i));
    this.wake();
  }

  /** Partition `key` is no longer the member's (given up, or its reader stopped for good): nothing of it is held. */
  drop(key: string): void {
    const list = this.held.get(key);
    if (!list) return;
    this.held.delete(key);
    for (const r of list) {
      this.records--;
      this.bytes -= r.bytes;
    }
    this.wake();
  }

  /** Resolves at the next release (or `wake()`); the caller checks `fit` again. */
  room(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter (a release, or the session stopping a reader or ending). */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

import { describe, expect, it } from 'vitest';
import { Assignment, tpKey, type StartPoint } from '../../../libs/client/consumer/assignment.js';
import { OffsetCommitter, type OffsetCommit } from '../../../libs/client/consumer/offset-committer.js';

const A0 = { topic: 'a', partition: 0 };
const A1 = { topic: 'a', partition: 1 };
const B0 = { topic: 'b', partition: 0 };
const FROM_COMMITTED: StartPoint = { kind: 'committed', reset: 'earliest' };

/** An assignment whose partitions are resolved to `offsets`. */
function resolvedAt(offsets: Record<string, number>): Assignment {
  const a = new Assignment();
  const tps = Object.keys(offsets).map((k) => ({ topic: k.slice(0, 1), partition: Number(k.slice(1)) }));
  a.assign(tps, FROM_COMMITTED);
  for (const tp of tps) {
    const s = a.require(tp);
    a.resolved(s.key, s.token, offsets[`${tp.topic}${tp.partition}`] as number);
  }
  return a;
}

describe('Assignment: positions', () => {
  it('a new partition has no position until its start is resolved, then moves past each delivered record', () => {
    const a = new Assignment();
    a.assign([A0], FROM_COMMITTED);
    const s = a.require(A0);
    expect(s.position).toBeUndefined();
    expect(a.unresolved().map((x) => x.key)).toEqual([tpKey(A0)]);
    expect(a.fetchable()).toEqual([]);
    a.resolved(s.key, s.token, 10);
    expect(a.require(A0).position).toBe(10);
    expect(a.fetchable().map((x) => x.key)).toEqual([tpKey(A0)]);
    expect(a.delivered(s.key, s.token, 10)).toBe(true);
    expect(a.delivered(s.key, s.token, 11)).toBe(true);
    expect(a.require(A0).position).toBe(12);
    expect(a.positions()).toEqual([{ topic: 'a', partition: 0, offset: 12 }]);
  });

  it('records fetched before a seek are not deliverable after it, and do not move the position', () => {
    const a = resolvedAt({ a0: 5 });
    const before = a.require(A0).token;
    a.seek(A0, 2);
    expect(a.require(A0).position).toBe(2);
    expect(a.deliverable(tpKey(A0), before)).toBe(false);
    expect(a.delivered(tpKey(A0), before, 5)).toBe(false);
    expect(a.require(A0).position).toBe(2);
    const after = a.require(A0).token;
    expect(a.delivered(tpKey(A0), after, 2)).toBe(true);
    expect(a.require(A0).position).toBe(3);
  });

  it('a seek to a spec forgets the position until it is resolved; a late resolution of an older start is dropped', () => {
    const a = new Assignment();
    a.assign([A0], FROM_COMMITTED);
    const first = a.require(A0).token;
    a.seek(A0, 'latest');
    expect(a.require(A0).start).toEqual({ kind: 'spec', spec: 'latest' });
    a.resolved(tpKey(A0), first, 3); // the committed-offset lookup that was under way
    expect(a.require(A0).position).toBeUndefined();
    a.resolved(tpKey(A0), a.require(A0).token, 40);
    expect(a.require(A0).position).toBe(40);
    a.seek(A0, { timestampMs: 1_700_000_000_000 });
    expect(a.require(A0).position).toBeUndefined();
  });

  it('pause stops delivery of what was fetched and keeps the position; resume makes it fetchable again', () => {
    const a = resolvedAt({ a0: 7, a1: 0 });
    const token = a.require(A0).token;
    expect(a.pause([A0]).map((s) => s.key)).toEqual([tpKey(A0)]);
    expect(a.pause([A0])).toEqual([]); // already paused: no new token
    expect(a.deliverable(tpKey(A0), token)).toBe(false);
    expect(a.fetchable().map((s) => s.key)).toEqual([tpKey(A1)]);
    expect(a.require(A0).position).toBe(7);
    a.resume([A0]);
    expect(a.fetchable().map((s) => s.key)).toEqual([tpKey(A0), tpKey(A1)]);
    expect(a.require(A0).position).toBe(7);
  });

  it('assign replaces the set: partitions that stay keep their state, removed ones are reported, re-added ones start over', () => {
    const a = resolvedAt({ a0: 7, a1: 3 });
    a.pause([A1]);
    const oldToken = a.require(A0).token;
    expect(a.assign([A1, B0], FROM_COMMITTED)).toEqual([tpKey(A0)]);
    expect(a.all().map((s) => [s.key, s.position, s.paused])).toEqual([
      [tpKey(A1), 3, true],
      [tpKey(B0), undefined, false],
    ]);
    a.assign([A0, A1, B0], FROM_COMMITTED);
    expect(a.require(A0).position).toBeUndefined();
    expect(a.deliverable(tpKey(A0), oldToken)).toBe(false);
  });

  it('refuses what is not assigned and bad offsets, with INVALID_REQUEST', () => {
    const a = resolvedAt({ a0: 0 });
    for (const f of [
      () => a.seek(B0, 1),
      () => a.pause([B0]),
      () => a.resume([B0]),
      () => a.require(B0),
      () => a.seek(A0, -1),
      () => a.seek(A0, 1.5),
      () => a.seek(A0, { timestampMs: -3 }),
      () => a.assign([{ topic: '', partition: 0 }], FROM_COMMITTED),
      () => a.assign([{ topic: 'x', partition: -1 }], FROM_COMMITTED),
    ]) {
      expect(f).toThrowError(expect.objectContaining({ reason: 'INVALID_REQUEST', retriable: false }));
    }
  });
});

/** A send that the test answers by hand. */
function manualSend() {
  const requests: { offsets: OffsetCommit[]; resolve: () => void; reject: (err: Error) => void }[] = [];
  const send = (offsets: OffsetCommit[]): Promise<void> => new Promise((resolve, reject) => requests.push({ offsets, resolve, reject }));
  return { requests, send };
}

const at = (partition: number, offset: number, metadata = ''): OffsetCommit => ({ topic: 't', partition, offset, metadata });
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OffsetCommitter: batching', () => {
  it('commits asked for in one tick share a request; the newest offset of a partition wins', async () => {
    const { requests, send } = manualSend();
    const c = new OffsetCommitter(send);
    const p1 = c.commit([at(0, 5)]);
    const p2 = c.commit([at(0, 9), at(1, 2)]);
    await flush();
    expect(requests.map((r) => r.offsets)).toEqual([[at(0, 9), at(1, 2)]]);
    requests[0]?.resolve();
    await Promise.all([p1, p2]);
    expect(c.committed()).toEqual([at(0, 9), at(1, 2)]);
  });

  it('while a request is in flight, newer commits wait and then go together in the next one', async () => {
    const { requests, send } = manualSend();
    const c = new OffsetCommitter(send);
    const first = c.commit([at(0, 1)]);
    await flush();
    const second = c.commit([at(0, 2)]);
    const third = c.commit([at(0, 3), at(1, 1)]);
    await flush();
    expect(requests).toHaveLength(1);
    requests[0]?.resolve();
    await first;
    await flush();
    expect(requests).toHaveLength(2);
    expect(requests[1]?.offsets).toEqual([at(0, 3), at(1, 1)]);
    let settled = false;
    void second.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false); // answered by the request that carried it, not earlier
    requests[1]?.resolve();
    await Promise.all([second, third]);
    expect(c.requestCount).toBe(2);
  });

  it('an offset already committed (same metadata) is not sent again; new metadata is', async () => {
    const { requests, send } = manualSend();
    const c = new OffsetCommitter(send);
    const p = c.commit([at(0, 4)]);
    await flush();
    requests[0]?.resolve();
    await p;
    await c.commit([at(0, 4)]);
    expect(requests).toHaveLength(1);
    const q = c.commit([at(0, 4, 'checkpoint')]);
    await flush();
    expect(requests[1]?.offsets).toEqual([at(0, 4, 'checkpoint')]);
    requests[1]?.resolve();
    await q;
  });

  it('a failed request rejects the commits it carried and is not remembered as committed', async () => {
    const { requests, send } = manualSend();
    const c = new OffsetCommitter(send);
    const p = c.commit([at(0, 4)]);
    await flush();
    requests[0]?.reject(new Error('coordinator gone'));
    await expect(p).rejects.toThrow('coordinator gone');
    expect(c.committed()).toEqual([]);
    const again = c.commit([at(0, 4)]);
    await flush();
    expect(requests).toHaveLength(2);
    requests[1]?.resolve();
    await again;
  });
});

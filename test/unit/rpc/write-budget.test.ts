/**
 * WriteBudget (libs/rpc/write-budget.ts): what a server stream holds unsent is bounded in bytes,
 * and a cancelled call gives everything back at once.
 *
 * The call is an object-mode Writable like grpc-js's server stream (high-water mark 16 messages)
 * whose write callbacks the test runs itself, so "the client took a message" is a step of the
 * test, never a timing. "Still waiting" is checked after setImmediate turns: every wake-up here is
 * synchronous or a microtask, so a wait that should have ended has ended by then.
 */
import { describe, expect, it } from 'vitest';
import { WriteBudget } from '../../../libs/rpc/index.js';
import { StalledCall as StalledCallOf } from '../../harness/stalled-call.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

class StalledCall extends StalledCallOf<unknown, string> {}

/** A write whose promise the test can look at without awaiting it. */
function track(p: Promise<boolean>): { settled: boolean; value: boolean | undefined } {
  const state: { settled: boolean; value: boolean | undefined } = { settled: false, value: undefined };
  void p.then((v) => {
    state.settled = true;
    state.value = v;
  });
  return state;
}

describe('WriteBudget', () => {
  it('lets a writer go on while fewer than maxBytes are unsent, and holds it from there until a write calls back', async () => {
    const call = new StalledCall();
    const budget = new WriteBudget(call.asCall(), 300);
    expect(await budget.write('a', 100)).toBe(true);
    expect(await budget.write('b', 100)).toBe(true);
    const third = track(budget.write('c', 100));
    await turn();
    expect(third.settled).toBe(false);
    expect(budget.unsentBytes).toBe(300);
    call.send();
    await turn();
    expect(third).toEqual({ settled: true, value: true });
    expect(budget.unsentBytes).toBe(200);
  });

  it('counts bytes, not messages: one message over the budget is written, and the next waits', async () => {
    const call = new StalledCall();
    const budget = new WriteBudget(call.asCall(), 100);
    const big = track(budget.write('big', 1000));
    await turn();
    expect(call.taken).toEqual(['big']);
    expect(big.settled).toBe(false);
    call.send();
    await turn();
    expect(big.value).toBe(true);
    expect(budget.unsentBytes).toBe(0);
  });

  it("waits for 'drain' when grpc-js's own queue is full, however few bytes that is", async () => {
    const call = new StalledCall();
    const budget = new WriteBudget(call.asCall(), 1 << 30);
    // One in _write plus 14 buffered: grpc-js's Writable still takes more.
    for (let i = 0; i < 15; i++) expect(await budget.write(`m${i}`, 1)).toBe(true);
    // The 16th reaches its high-water mark: the writer waits until the queue is empty again.
    const sixteenth = track(budget.write('m15', 1));
    for (let i = 0; i < 15; i++) call.send();
    await turn();
    expect(sixteenth.settled).toBe(false);
    call.send();
    await turn();
    expect(sixteenth).toEqual({ settled: true, value: true });
  });

  it('runs each written callback once, when its write calls back', async () => {
    const call = new StalledCall();
    const budget = new WriteBudget(call.asCall(), 1000);
    const done: string[] = [];
    await budget.write('a', 10, () => done.push('a'));
    await budget.write('b', 10, () => done.push('b'));
    expect(done).toEqual([]);
    call.send();
    expect(done).toEqual(['a']);
    call.send();
    expect(done).toEqual(['a', 'b']);
  });

  it('a cancel gives back every write still out at once, wakes a waiting writer with false, and a late callback changes nothing', async () => {
    const call = new StalledCall();
    const budget = new WriteBudget(call.asCall(), 2);
    const released: string[] = [];
    await budget.write('a', 1, () => released.push('a'));
    const waiting = track(budget.write('b', 1, () => released.push('b')));
    await turn();
    expect(waiting.settled).toBe(false);
    // 'a' is on the wire: its callback is held; 'b' is queued behind it.
    call.cancel();
    await turn();
    expect(waiting).toEqual({ settled: true, value: false });
    expect(released.sort()).toEqual(['a', 'b']);
    expect(budget.unsentBytes).toBe(0);
    call.send();
    expect(released).toHaveLength(2);
  });

  it('a write after the call is gone writes nothing, answers false and gives its resources back at once', async () => {
    const call = new StalledCall();
    const budget = new WriteBudget(call.asCall(), 100);
    call.cancel();
    let released = 0;
    expect(await budget.write('late', 10, () => released++)).toBe(false);
    expect(released).toBe(1);
    expect(call.taken).toEqual([]);
  });

  it('its signal ends a wait with true (the writer checks the signal itself), leaving the writes out', async () => {
    const call = new StalledCall();
    const stop = new AbortController();
    const budget = new WriteBudget(call.asCall(), 1, stop.signal);
    let released = 0;
    const waiting = track(budget.write('a', 1, () => released++));
    await turn();
    expect(waiting.settled).toBe(false);
    stop.abort();
    await turn();
    expect(waiting).toEqual({ settled: true, value: true });
    // Still grpc-js's to send: given back only when it calls back.
    expect(released).toBe(0);
    call.send();
    expect(released).toBe(1);
  });

  it('refuses a budget that could never let a write through', () => {
    expect(() => new WriteBudget(new StalledCall().asCall(), 0)).toThrow(RangeError);
  });
});

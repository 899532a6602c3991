import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../libs/runtime/index.js';
import { SilenceGuard } from '../../../libs/client/groups/silence-guard.js';

describe('SilenceGuard (a relay member that may have been removed while it stood still)', () => {
  it('keeps a member that writes within its session timeout, less the margin', () => {
    const clock = new ManualClock(1_000_000);
    const guard = new SilenceGuard(6_000, clock);
    expect(guard.limitMs).toBe(5_400);
    for (let i = 0; i < 10; i++) {
      clock.advance(5_399);
      expect(guard.mayBeRemoved()).toBe(false);
      guard.spoke();
    }
    expect(guard.silentMs).toBe(0);
  });

  it('a silence of the limit makes it stale for good, even when the first thing after it is a write', () => {
    const clock = new ManualClock();
    const guard = new SilenceGuard(45_000, clock);
    expect(guard.limitMs).toBe(44_000);
    clock.advance(44_000);
    // Waking from SIGSTOP, a timer's heartbeat may be written before the records are read.
    guard.spoke();
    expect(guard.silentMs).toBe(0);
    expect(guard.mayBeRemoved()).toBe(true);
    guard.spoke();
    expect(guard.mayBeRemoved()).toBe(true);
  });

  it('counts from its creation (the join) until the first write', () => {
    const clock = new ManualClock();
    const guard = new SilenceGuard(10_000, clock);
    clock.advance(8_999);
    expect(guard.mayBeRemoved()).toBe(false);
    clock.advance(1);
    expect(guard.mayBeRemoved()).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { LeaseDeadline, leaseMarginMs } from '../../../libs/cluster/lease-deadline.js';

describe('LeaseDeadline: a lease taken as gone by its own TTL', () => {
  it('before any keep-alive is answered, the lease ends one TTL (less the margin) after the grant was asked for', () => {
    const d = new LeaseDeadline(3, 10_000);
    expect(leaseMarginMs(3)).toBe(500);
    expect(d.expiresAtMs).toBe(12_500);
    expect(d.expired(12_499)).toBe(false);
    expect(d.expired(12_500)).toBe(true);
  });

  it('an answered keep-alive extends it from when it was SENT, not from when the answer came', () => {
    const d = new LeaseDeadline(3, 0, 0);
    d.keepaliveSent(1_000);
    d.keepaliveAnswered(3);
    expect(d.expiresAtMs).toBe(4_000);
    d.keepaliveSent(2_000);
    // answered late (say at 3_900): still 2_000 + TTL
    d.keepaliveAnswered(3);
    expect(d.expiresAtMs).toBe(5_000);
  });

  it('keep-alives that are sent but never answered (etcd unreachable) do not extend it', () => {
    const d = new LeaseDeadline(3, 0, 0);
    d.keepaliveSent(1_000);
    d.keepaliveAnswered(3);
    for (const t of [2_000, 3_000, 4_000]) d.keepaliveSent(t);
    expect(d.expired(3_999)).toBe(false);
    expect(d.expired(4_000)).toBe(true);
  });

  it('answers pair with keep-alives in order; a new stream forgets what the old one left unanswered', () => {
    const d = new LeaseDeadline(3, 0, 0);
    d.keepaliveSent(1_000);
    d.keepaliveSent(2_000);
    d.keepaliveAnswered(3); // the one sent at 1_000
    expect(d.expiresAtMs).toBe(4_000);
    d.streamRestarted(); // the one sent at 2_000 will never be answered
    d.keepaliveSent(5_000);
    d.keepaliveAnswered(3);
    expect(d.expiresAtMs).toBe(8_000);
    // an answer with nothing to pair with proves nothing
    d.keepaliveAnswered(3);
    expect(d.expiresAtMs).toBe(8_000);
  });

  it('uses the smaller of the TTL asked and the one etcd answered, and never moves back', () => {
    const d = new LeaseDeadline(10, 0, 0);
    d.keepaliveSent(1_000);
    d.keepaliveAnswered(60); // etcd granted more than asked: counted as asked
    expect(d.expiresAtMs).toBe(11_000);
    d.keepaliveSent(2_000);
    d.keepaliveAnswered(2); // a shorter answer cannot shorten what was already renewed
    expect(d.expiresAtMs).toBe(11_000);
  });

  it('an answer of TTL 0 (etcd no longer knows the lease) ends it at once', () => {
    const d = new LeaseDeadline(3, 0, 0);
    d.keepaliveSent(1_000);
    d.keepaliveAnswered(0);
    expect(d.expired(1_001)).toBe(true);
    expect(d.expiresAtMs).toBe(Number.NEGATIVE_INFINITY);
  });

  it('the margin is a sixth of the TTL, at most 1 s', () => {
    expect(leaseMarginMs(2)).toBe(333);
    expect(leaseMarginMs(6)).toBe(1_000);
    expect(leaseMarginMs(10)).toBe(1_000);
    const d = new LeaseDeadline(10, 0);
    d.keepaliveSent(5_000);
    d.keepaliveAnswered(10);
    expect(d.expiresAtMs).toBe(14_000);
  });
});

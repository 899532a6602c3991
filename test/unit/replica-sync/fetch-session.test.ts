/**
 * Incremental fetch sessions (libs/replica-sync/fetch-session.ts, ADR 0058): whatever the follower
 * wants asked round after round (positions moving, epochs changing, throttle shares, partitions
 * set aside and back, followed no more), and whenever the stream breaks, the leader's session
 * after each request holds exactly what a full request of that round would have listed.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FollowerSession, LeaderSession, positionKey, type HeldPosition } from '../../../libs/replica-sync/fetch-session.js';
import type { v1 } from '../../../libs/rpc/index.js';

const PARTITIONS = 6;

/** One round: the positions the follower wants asked (a full request would list exactly these), or a broken stream. */
type Round = { kind: 'ask'; wanted: HeldPosition[] } | { kind: 'reconnect' };

const positionArb: fc.Arbitrary<HeldPosition> = fc.record({
  topic: fc.constantFrom('a', 'b'),
  partition: fc.nat(PARTITIONS - 1),
  fetchOffset: fc.nat(3),
  lastFetchedEpoch: fc.integer({ min: -1, max: 2 }),
  currentLeaderEpoch: fc.nat(2),
  maxBytes: fc.constantFrom(0, 1, 500),
});

/** Each partition at most once: some partitions, each with some position. */
const wantedArb: fc.Arbitrary<HeldPosition[]> = fc
  .array(positionArb, { maxLength: 2 * PARTITIONS })
  .map((xs) => [...new Map(xs.map((x) => [positionKey(x.topic, x.partition), x])).values()]);

const roundArb: fc.Arbitrary<Round> = fc.oneof(
  { weight: 8, arbitrary: wantedArb.map((wanted) => ({ kind: 'ask' as const, wanted })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reconnect' as const }) },
);

/** What the wire does to a request: the leader sees proto3's decoding (every field set). */
function decoded(request: v1.ReplicaFetchRequest): v1.ReplicaFetchRequest__Output {
  return {
    followerId: 1,
    maxBytes: 0,
    maxWaitMs: 0,
    followerBrokerEpoch: 0,
    leaderBrokerEpoch: 0,
    incremental: request.incremental ?? false,
    partitions: (request.partitions ?? []).map((p) => ({ ...(p as HeldPosition) })),
    forgotten: (request.forgotten ?? []).map((f) => ({ topic: f.topic ?? '', partition: f.partition ?? 0 })),
  };
}

function ask(session: FollowerSession, wanted: readonly HeldPosition[]): v1.ReplicaFetchRequest {
  session.begin();
  for (const w of wanted)
    session.want(
      positionKey(w.topic, w.partition),
      w.topic,
      w.partition,
      w.fetchOffset,
      w.lastFetchedEpoch,
      w.currentLeaderEpoch,
      w.maxBytes,
    );
  return { followerId: 1, ...session.end() };
}

/** Partition `partition` of t at offset `fetchOffset`, epoch 0. */
const p = (partition: number, fetchOffset = 0): HeldPosition => ({
  topic: 't',
  partition,
  fetchOffset,
  lastFetchedEpoch: 0,
  currentLeaderEpoch: 0,
  maxBytes: 0,
});

const asMap = (positions: readonly HeldPosition[]): Map<string, HeldPosition> =>
  new Map(positions.map((p) => [positionKey(p.topic, p.partition), p]));

describe('fetch sessions', () => {
  it('the first request of a session lists every position; an unchanged round lists none; a change lists only itself', () => {
    const follower = new FollowerSession();
    const wanted = [0, 1, 2].map((i) => p(i, 5));
    expect(ask(follower, wanted).partitions).toHaveLength(3);
    const idle = ask(follower, wanted);
    expect(idle).toMatchObject({ incremental: true, partitions: [], forgotten: [] });
    const moved = wanted.map((w) => (w.partition === 1 ? { ...w, fetchOffset: 6 } : w));
    expect(ask(follower, moved).partitions).toEqual([moved[1]]);
    const left = ask(follower, [moved[0] as HeldPosition, moved[1] as HeldPosition]);
    expect(left.partitions).toEqual([]);
    expect(left.forgotten).toEqual([{ topic: 't', partition: 2 }]);
    expect(follower.size).toBe(2);
  });

  it('a full (non-incremental) request replaces what the leader held', () => {
    const leader = new LeaderSession<never>();
    leader.apply({ incremental: true, partitions: [p(0), p(1)], forgotten: [] });
    leader.apply({ incremental: false, partitions: [p(2)], forgotten: [] });
    expect([...leader.positions().keys()]).toEqual(['t/2']);
  });

  it('held() rotates the order, so every position gets to go first', () => {
    const leader = new LeaderSession<never>();
    leader.apply({ incremental: true, partitions: [p(0), p(1), p(2)], forgotten: [] });
    const firsts = new Set(Array.from({ length: 3 }, () => leader.held()[0]?.position.partition));
    expect(firsts).toEqual(new Set([0, 1, 2]));
    for (let i = 0; i < 3; i++) expect(leader.held()).toHaveLength(3);
  });

  it('any sequence of rounds and reconnects: the leader holds what a full request would list, every round', () => {
    fc.assert(
      fc.property(fc.array(roundArb, { minLength: 1, maxLength: 30 }), (rounds) => {
        // A stream: both halves of its session, made together, dropped together.
        let follower = new FollowerSession();
        let leader = new LeaderSession<never>();
        let sentOnStream = 0;
        for (const round of rounds) {
          if (round.kind === 'reconnect') {
            follower = new FollowerSession();
            leader = new LeaderSession<never>();
            sentOnStream = 0;
            continue;
          }
          const request = ask(follower, round.wanted);
          leader.apply(decoded(request));
          expect(leader.positions()).toEqual(asMap(round.wanted));
          // What the follower reads an answer against is what the leader held.
          for (const w of round.wanted) expect(follower.position(positionKey(w.topic, w.partition))).toEqual(w);
          expect(follower.size).toBe(round.wanted.length);
          // The first request of a stream lists everything; later ones never more than changed.
          if (sentOnStream === 0) expect(request.partitions).toHaveLength(round.wanted.length);
          sentOnStream += 1;
        }
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * The assignors as properties over random groups: every subscribed partition is assigned exactly
 * once to a subscribed member, equal subscriptions are balanced within 1, the result does not
 * depend on input order, and sticky moves exactly as few partitions as a balanced result allows.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ASSIGNORS,
  range,
  roundRobin,
  sticky,
  tpKey,
  type AssignorInput,
  type GroupAssignment,
  type TopicPartition,
} from '../../../libs/group/index.js';

const TOPICS = ['a', 'b', 'c', 'd'];

const partitionCounts = fc
  .array(fc.integer({ min: 0, max: 20 }), { minLength: TOPICS.length, maxLength: TOPICS.length })
  .map((ns) => new Map(TOPICS.map((t, i) => [t, ns[i] as number])));
const memberIds = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });

/** Members with arbitrary subscriptions (each to at least one topic) and arbitrary (even conflicting) owned lists. */
const anyInput: fc.Arbitrary<AssignorInput> = fc.tuple(memberIds, partitionCounts).chain(([ids, partitions]) =>
  fc
    .tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          topics: fc.subarray(TOPICS, { minLength: 1 }),
          owned: fc.array(fc.record({ topic: fc.constantFrom(...TOPICS), partition: fc.integer({ min: -1, max: 22 }) }), { maxLength: 10 }),
        }),
      ),
    )
    .map((members) => ({ members, partitions })),
);

/** Everyone subscribes to the same topics; owned lists come from a previous valid assignment. */
const homogeneous = fc.tuple(memberIds, partitionCounts, fc.subarray(TOPICS, { minLength: 1 })).map(([ids, partitions, topics]) => ({
  ids,
  partitions,
  topics,
}));

function expectValid(input: AssignorInput, out: GroupAssignment): void {
  expect([...out.keys()].sort()).toEqual(input.members.map((m) => m.id).sort());
  const seen = new Map<string, string>();
  for (const [id, tps] of out) {
    const member = input.members.find((m) => m.id === id);
    for (const tp of tps) {
      expect(member?.topics.includes(tp.topic), `${id} got ${tp.topic} it does not subscribe to`).toBe(true);
      expect(seen.has(tpKey(tp)), `${tp.topic}-${tp.partition} assigned twice`).toBe(false);
      seen.set(tpKey(tp), id);
    }
  }
  for (const [topic, n] of input.partitions) {
    const subscribed = input.members.some((m) => m.topics.includes(topic));
    for (let p = 0; p < n; p++) expect(seen.has(tpKey({ topic, partition: p })), `${topic}-${p}`).toBe(subscribed);
  }
  expect(seen.size).toBe(
    [...input.partitions].filter(([t]) => input.members.some((m) => m.topics.includes(t))).reduce((s, [, n]) => s + n, 0),
  );
}

const spread = (out: GroupAssignment): number => {
  const counts = [...out.values()].map((l) => l.length);
  return Math.max(...counts) - Math.min(...counts);
};
const serialize = (out: GroupAssignment): string => JSON.stringify([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
const shuffle = <T>(xs: readonly T[], seed: number): T[] => {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

describe.each(Object.entries(ASSIGNORS))('%s assignor', (_name, assign) => {
  it('property: every subscribed partition goes to exactly one subscribed member', () => {
    fc.assert(
      fc.property(anyInput, (input) => expectValid(input, assign(input))),
      { numRuns: 300 },
    );
  });

  it('property: equal subscriptions are balanced within 1 in every topic (overall too, except range)', () => {
    fc.assert(
      fc.property(homogeneous, ({ ids, partitions, topics }) => {
        const out = assign({ members: ids.map((id) => ({ id, topics })), partitions });
        for (const topic of topics) {
          const perTopic = new Map([...out].map(([id, tps]) => [id, tps.filter((tp) => tp.topic === topic)]));
          expect(spread(perTopic)).toBeLessThanOrEqual(1);
        }
        // Range balances each topic on its own, so the first members collect the extras of every topic (as Kafka's).
        if (assign !== range) expect(spread(out)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('property: deterministic, whatever the order of members and owned lists', () => {
    fc.assert(
      fc.property(anyInput, fc.integer(), (input, seed) => {
        const shuffled: AssignorInput = {
          partitions: input.partitions,
          members: shuffle(input.members, seed).map((m) => ({ ...m, owned: shuffle(m.owned ?? [], seed + 1) })),
        };
        expect(serialize(assign(shuffled))).toBe(serialize(assign(input)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('range assignor', () => {
  it('gives each member a consecutive run per topic, the first members one more', () => {
    const out = range({
      members: [
        { id: 'm2', topics: ['t'] },
        { id: 'm1', topics: ['t'] },
      ],
      partitions: new Map([['t', 5]]),
    });
    expect(out.get('m1')?.map((tp) => tp.partition)).toEqual([0, 1, 2]);
    expect(out.get('m2')?.map((tp) => tp.partition)).toEqual([3, 4]);
  });
});

describe('round-robin assignor', () => {
  it('deals partitions in turn', () => {
    const out = roundRobin({
      members: [
        { id: 'x', topics: ['t'] },
        { id: 'y', topics: ['t'] },
      ],
      partitions: new Map([['t', 4]]),
    });
    expect(out.get('x')?.map((tp) => tp.partition)).toEqual([0, 2]);
    expect(out.get('y')?.map((tp) => tp.partition)).toEqual([1, 3]);
  });
});

describe('sticky assignor', () => {
  /** The fewest partitions that must change owner to reach a balanced assignment: everything owned minus the most that can be kept. */
  function minimalMoves(ownedCounts: number[], total: number): number {
    const m = ownedCounts.length;
    const floor = Math.floor(total / m);
    const ceilSlots = total % m;
    const sorted = [...ownedCounts].sort((a, b) => b - a);
    const kept = sorted.reduce((s, c, i) => s + Math.min(c, i < ceilSlots ? floor + 1 : floor), 0);
    return ownedCounts.reduce((s, c) => s + c, 0) - kept;
  }

  it('property: with equal subscriptions it moves exactly the minimum number of owned partitions', () => {
    const scenario = homogeneous.chain((h) =>
      fc.record({
        h: fc.constant(h),
        // A previous owner (or nobody) for every partition, among the current members and some that left.
        owners: fc.array(fc.integer({ min: -1, max: h.ids.length + 2 }), { minLength: 100, maxLength: 100 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ h, owners }) => {
        const all: TopicPartition[] = h.topics.flatMap((topic) =>
          Array.from({ length: h.partitions.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
        );
        const owned = new Map<string, TopicPartition[]>(h.ids.map((id) => [id, []]));
        all.forEach((tp, i) => {
          const owner = h.ids[owners[i % owners.length] as number];
          if (owner !== undefined) owned.get(owner)?.push(tp);
        });
        const out = sticky({
          members: h.ids.map((id) => ({ id, topics: h.topics, owned: owned.get(id) ?? [] })),
          partitions: h.partitions,
        });
        let moved = 0;
        for (const [id, tps] of owned) {
          const now = new Set((out.get(id) ?? []).map(tpKey));
          moved += tps.filter((tp) => !now.has(tpKey(tp))).length;
        }
        expect(moved).toBe(
          minimalMoves(
            [...owned.values()].map((l) => l.length),
            all.length,
          ),
        );
        expect(spread(out)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a balanced assignment is kept as it is', () => {
    fc.assert(
      fc.property(homogeneous, ({ ids, partitions, topics }) => {
        const first = sticky({ members: ids.map((id) => ({ id, topics })), partitions });
        const again = sticky({ members: ids.map((id) => ({ id, topics, owned: first.get(id) ?? [] })), partitions });
        expect(serialize(again)).toBe(serialize(first));
      }),
    );
  });

  it('a member joining takes partitions only from others, none move between the old members', () => {
    const partitions = new Map([['t', 12]]);
    const before = sticky({ members: ['a', 'b', 'c'].map((id) => ({ id, topics: ['t'] })), partitions });
    const after = sticky({
      members: [...['a', 'b', 'c'].map((id) => ({ id, topics: ['t'], owned: before.get(id) ?? [] })), { id: 'd', topics: ['t'] }],
      partitions,
    });
    for (const id of ['a', 'b', 'c']) {
      const had = new Set((before.get(id) ?? []).map(tpKey));
      for (const tp of after.get(id) ?? []) expect(had.has(tpKey(tp))).toBe(true);
      expect(after.get(id)).toHaveLength(3);
    }
    expect(after.get('d')).toHaveLength(3);
  });

  it('a member leaving: only its partitions move', () => {
    const partitions = new Map([['t', 12]]);
    const before = sticky({ members: ['a', 'b', 'c'].map((id) => ({ id, topics: ['t'] })), partitions });
    const after = sticky({ members: ['a', 'b'].map((id) => ({ id, topics: ['t'], owned: before.get(id) ?? [] })), partitions });
    for (const id of ['a', 'b']) {
      const now = new Set((after.get(id) ?? []).map(tpKey));
      for (const tp of before.get(id) ?? []) expect(now.has(tpKey(tp))).toBe(true);
      expect(after.get(id)).toHaveLength(6);
    }
  });
});

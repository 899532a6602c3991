/**
 * Partition assignors: pure functions from (members with their subscriptions, partition counts,
 * what each member owns now) to the partitions each member should own. They run on the
 * coordinator (server-side assignment), never on clients.
 *
 * Contract of every assignor, for any input:
 * - every partition of every topic that at least one member subscribes to is assigned to exactly
 *   one member, and only to a member subscribed to its topic; partitions of topics nobody
 *   subscribes to are not assigned;
 * - every member appears in the result (possibly with an empty list);
 * - the result depends only on the input, not on the order of `members` or of `owned` (members are
 *   processed sorted by id): the same input gives the same assignment on any coordinator.
 *
 * - range: per topic, the subscribed members (sorted by id) get consecutive runs, the first
 *   `partitions % members` one more (Kafka's RangeAssignor).
 * - roundRobin: all subscribed partitions sorted by (topic, partition), dealt in turn to the
 *   members subscribed to each one's topic (Kafka's RoundRobinAssignor).
 * - sticky: members keep what they own (when still subscribed and the partition exists), new
 *   partitions go to the least loaded, then partitions move one at a time from the most to the
 *   least loaded member until no member has two more than another that could take one. With equal
 *   subscriptions it is balanced within 1 and moves the fewest partitions possible (see the
 *   property tests). This is the default, and the one that makes cooperative rebalancing cheap.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface MemberSubscription {
  id: string;
  topics: readonly string[];
  /** What the member owns now (ignored by range and round-robin). */
  owned?: readonly TopicPartition[];
}

export interface AssignorInput {
  members: readonly MemberSubscription[];
  /** Partition count per topic; subscribed topics missing here (unknown, deleted) get nothing. */
  partitions: ReadonlyMap<string, number>;
}

/** member id -> partitions sorted by (topic, partition). */
export type GroupAssignment = Map<string, TopicPartition[]>;

export type AssignorName = 'range' | 'roundRobin' | 'sticky';

export type Assignor = (input: AssignorInput) => GroupAssignment;

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\0${tp.partition}`;

export function compareTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

const byId = (a: MemberSubscription, b: MemberSubscription): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function sortedMembers(input: AssignorInput): MemberSubscription[] {
  return [...input.members].sort(byId);
}

function emptyResult(members: readonly MemberSubscription[]): GroupAssignment {
  return new Map(members.map((m) => [m.id, []]));
}

function finish(result: GroupAssignment): GroupAssignment {
  for (const list of result.values()) list.sort(compareTp);
  return result;
}

/** Topics someone subscribes to that exist, sorted. */
function subscribedTopics(members: readonly MemberSubscription[], partitions: ReadonlyMap<string, number>): string[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) if ((partitions.get(t) ?? 0) > 0) topics.add(t);
  return [...topics].sort();
}

export function range(input: AssignorInput): GroupAssignment {
  const members = sortedMembers(input);
  const result = emptyResult(members);
  for (const topic of subscribedTopics(members, input.partitions)) {
    const count = input.partitions.get(topic) ?? 0;
    const takers = members.filter((m) => m.topics.includes(topic));
    const per = Math.floor(count / takers.length);
    const extra = count % takers.length;
    let next = 0;
    takers.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      const list = result.get(m.id) as TopicPartition[];
      for (let p = next; p < next + n; p++) list.push({ topic, partition: p });
      next += n;
    });
  }
  return finish(result);
}

export function roundRobin(input: AssignorInput): GroupAssignment {
  const members = sortedMembers(input);
  const result = emptyResult(members);
  let turn = 0;
  for (const topic of subscribedTopics(members, input.partitions)) {
    const count = input.partitions.get(topic) ?? 0;
    for (let p = 0; p < count; p++) {
      // The next member in the circle that subscribes to this topic (one exists: the topic is subscribed).
      for (;;) {
        const m = members[turn % members.length] as MemberSubscription;
        turn++;
        if (m.topics.includes(topic)) {
          (result.get(m.id) as TopicPartition[]).push({ topic, partition: p });
          break;
        }
      }
    }
  }
  return finish(result);
}

export function sticky(input: AssignorInput): GroupAssignment {
  const members = sortedMembers(input);
  const result = emptyResult(members);
  const subscribed = new Map(members.map((m) => [m.id, new Set(m.topics)]));
  const exists = (tp: TopicPartition): boolean =>
    Number.isInteger(tp.partition) && tp.partition >= 0 && tp.partition < (input.partitions.get(tp.topic) ?? 0);
  const taken = new Set<string>();
  const count = (id: string): number => (result.get(id) as TopicPartition[]).length;

  // 1. Keep what each member owns, if still valid. A partition claimed by two members (a stale
  //    claim) stays with the one that has fewer so far, ties by id.
  const claims = new Map<string, { tp: TopicPartition; ids: string[] }>();
  for (const m of members) {
    for (const tp of [...(m.owned ?? [])].sort(compareTp)) {
      if (!exists(tp) || !subscribed.get(m.id)?.has(tp.topic)) continue;
      const key = tpKey(tp);
      const c = claims.get(key) ?? { tp: { topic: tp.topic, partition: tp.partition }, ids: [] };
      if (!c.ids.includes(m.id)) c.ids.push(m.id);
      claims.set(key, c);
    }
  }
  for (const key of [...claims.keys()].sort()) {
    const c = claims.get(key) as { tp: TopicPartition; ids: string[] };
    const keeper = [...c.ids].sort((a, b) => count(a) - count(b) || (a < b ? -1 : 1))[0] as string;
    (result.get(keeper) as TopicPartition[]).push(c.tp);
    taken.add(key);
  }

  // 2. Partitions nobody keeps go to the least loaded subscribed member (ties by id).
  for (const topic of subscribedTopics(members, input.partitions)) {
    const takers = members.filter((m) => subscribed.get(m.id)?.has(topic));
    for (let p = 0; p < (input.partitions.get(topic) ?? 0); p++) {
      if (taken.has(tpKey({ topic, partition: p }))) continue;
      const best = takers.reduce((a, b) => (count(b.id) < count(a.id) ? b : a));
      (result.get(best.id) as TopicPartition[]).push({ topic, partition: p });
    }
  }

  // 3. Move one partition at a time from the most loaded member to the least loaded member that can
  //    take one of its partitions, while they differ by two or more. Each move lowers the sum of
  //    squared counts, so this ends.
  for (;;) {
    const move = findMove(members, result, subscribed);
    if (!move) break;
    const from = result.get(move.from) as TopicPartition[];
    from.splice(from.indexOf(move.tp), 1);
    (result.get(move.to) as TopicPartition[]).push(move.tp);
  }
  return finish(result);
}

function findMove(
  members: readonly MemberSubscription[],
  result: GroupAssignment,
  subscribed: ReadonlyMap<string, ReadonlySet<string>>,
): { from: string; to: string; tp: TopicPartition } | undefined {
  const count = (id: string): number => (result.get(id) as TopicPartition[]).length;
  // Most loaded first (ties by id), receivers least loaded first (ties by id).
  const donors = [...members].sort((a, b) => count(b.id) - count(a.id) || byId(a, b));
  const receivers = [...members].sort((a, b) => count(a.id) - count(b.id) || byId(a, b));
  for (const donor of donors) {
    const owned = [...(result.get(donor.id) as TopicPartition[])].sort(compareTp).reverse();
    for (const receiver of receivers) {
      if (count(donor.id) - count(receiver.id) < 2) break;
      const topics = subscribed.get(receiver.id) as ReadonlySet<string>;
      const tp = owned.find((x) => topics.has(x.topic));
      if (tp)
        return {
          from: donor.id,
          to: receiver.id,
          tp: (result.get(donor.id) as TopicPartition[]).find((x) => tpKey(x) === tpKey(tp)) as TopicPartition,
        };
    }
  }
  return undefined;
}

export const ASSIGNORS: Readonly<Record<AssignorName, Assignor>> = { range, roundRobin, sticky };

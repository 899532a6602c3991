/**
 * What both kinds of group member share (relay-member.ts: records through the coordinator;
 * direct-member.ts: assign-only, records from the leaders): finding the coordinator and joining on
 * a new GroupConsume stream, the rejoin rule, and the bookkeeping of `commit()` calls waiting for the
 * coordinator's `committed` answers.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { ATTR, SessionSpan } from '../../telemetry/index.js';
import { callError } from '../errors.js';
import { retry } from '../../runtime/index.js';
import type { TopicPartition } from '../consumer/assignment.js';
import type { Groups } from './groups.js';
import type { GroupAssignment, GroupConsumerOptions } from './group-consumer.js';

export type GroupCall = grpc.ClientDuplexStream<v1.GroupConsumeRequest, v1.GroupConsumeResponse__Output>;

/** Stream failures after which the member finds the coordinator again and rejoins. */
export const REJOIN = new Set(['NOT_COORDINATOR', 'NOT_READY', 'UNKNOWN_MEMBER_ID', 'REQUEST_TIMED_OUT']);

const ASSIGNORS: Record<string, v1.Assignor> = { range: 'ASSIGNOR_RANGE', roundRobin: 'ASSIGNOR_ROUND_ROBIN', sticky: 'ASSIGNOR_STICKY' };

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export interface OpenedStream {
  call: GroupCall;
  /** The span of this connection; each chunk received is a `receive` trace linked to it. */
  session: SessionSpan;
  /** The responses, starting with the join's assignment. */
  responses: AsyncIterator<v1.GroupConsumeResponse__Output>;
}

export interface StreamOpener {
  cluster: Cluster;
  groups: Groups;
  options: GroupConsumerOptions;
  closed(): boolean;
  signal: AbortSignal;
}

/**
 * Finds the coordinator and joins, retrying (and looking the coordinator up again) on retriable
 * failures and REJOIN reasons; resolves with the open stream, or undefined when closed meanwhile.
 * `onCall` sees each call as soon as it exists (so close() can end it while the join waits).
 */
export async function openGroupStream(
  o: StreamOpener,
  join: { maxChunksAhead: number; assignOnly: boolean },
  onCall: (call: GroupCall | undefined) => void,
): Promise<OpenedStream | undefined> {
  let refresh = false;
  const options = o.options;
  return retry(
    async () => {
      if (o.closed()) return undefined;
      const address = await o.groups.findCoordinator(options.groupId, refresh);
      const session = new SessionSpan('group.member.session', { [ATTR.group]: options.groupId });
      const call = session.run(() => o.cluster.pool.coordinator(address).groupConsume());
      // Every end of the call (the server's status, a cancel, an error) ends its session span.
      call.on('status', () => session.end());
      call.on('error', () => session.end());
      onCall(call);
      call.write({
        join: {
          groupId: options.groupId,
          topics: [...options.topics],
          sessionTimeoutMs: options.sessionTimeoutMs ?? 0,
          ...(options.groupInstanceId !== undefined ? { groupInstanceId: options.groupInstanceId } : {}),
          assignor: options.assignor ? (ASSIGNORS[options.assignor] ?? 'ASSIGNOR_UNSPECIFIED') : 'ASSIGNOR_UNSPECIFIED',
          reset: options.reset === 'latest' ? 'OFFSET_POSITION_LATEST' : 'OFFSET_POSITION_EARLIEST',
          maxChunksAhead: join.maxChunksAhead,
          assignOnly: join.assignOnly,
          ...(join.assignOnly ? {} : { maxRecords: options.maxRecords ?? 0, maxBytes: options.maxBytes ?? 0 }),
        },
      });
      const iterator = call[Symbol.asyncIterator]() as AsyncIterator<v1.GroupConsumeResponse__Output>;
      // The first answer is the assignment, or the join's error: surface it here so it is retried (or not) as one attempt.
      try {
        const first = await iterator.next();
        if (first.done) throw new SamsaError('NOT_READY', 'the coordinator ended the stream at once');
        return { call, session, responses: prepend(first.value, iterator) };
      } catch (err) {
        call.cancel();
        onCall(undefined);
        throw callError(err, address);
      }
    },
    options.retry ?? { ...o.cluster.options.retry, retries: 30, maxElapsedMs: 120_000 },
    {
      isRetriable: (err) => !o.closed() && (err.retriable || REJOIN.has(err.reason)),
      onRetry: () => {
        refresh = true;
      },
      signal: o.signal,
    },
  );
}

/** Ends a member's stream: half-close, then wait (at most 10 s) for the server's status. */
export function endGroupStream<Req, Res>(call: grpc.ClientDuplexStream<Req, Res>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      call.cancel();
      resolve();
    }, 10_000);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    call.on('status', done);
    call.on('error', () => undefined);
    // Keep reading so the server's end reaches us; records still in flight are dropped (not reported).
    call.on('data', () => undefined);
    call.end();
  });
}

export function toAssignment(a: v1.Assignment__Output): GroupAssignment {
  return {
    memberId: a.memberId,
    generation: a.generation,
    partitions: a.partitions.map((p) => ({ topic: p.topic, partitions: [...p.partitions] })),
  };
}

export function flattenPartitions(partitions: readonly { topic: string; partitions: readonly number[] }[]): TopicPartition[] {
  return partitions.flatMap((p) => p.partitions.map((partition) => ({ topic: p.topic, partition })));
}

/** How a member's assignment changed: what it holds now, and what was taken away. */
export interface AssignmentChange {
  now: TopicPartition[];
  removed: TopicPartition[];
}

/**
 * The bookkeeping of both member kinds when a new assignment arrives: a partition newly granted
 * forgets what this member finished (`finished`, keyed by tpKey) and reported (`commits`) of it,
 * since another member may have gone further while it was away; kept partitions keep theirs.
 */
export function changeAssignment(
  before: GroupAssignment | undefined,
  after: GroupAssignment,
  finished: Map<string, unknown>,
  commits: CommitTracker,
): AssignmentChange {
  const had = new Set((before ? flattenPartitions(before.partitions) : []).map(tpKey));
  const now = flattenPartitions(after.partitions);
  const kept = new Set(now.map(tpKey));
  for (const key of kept) {
    if (had.has(key)) continue;
    finished.delete(key);
    commits.reported.delete(key);
  }
  const removed = before ? flattenPartitions(before.partitions).filter((tp) => !kept.has(tpKey(tp))) : [];
  return { now, removed };
}

function prepend<T>(first: T, rest: AsyncIterator<T>): AsyncIterator<T> {
  let sent = false;
  return {
    next: () => {
      if (sent) return rest.next();
      sent = true;
      return Promise.resolve({ done: false, value: first });
    },
  };
}

interface CommitWaiter {
  need: Map<string, number>;
  resolve: () => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Under run(): what was reported `processed` on the current stream and what the coordinator said is
 * durable (`committed`), and the commit() calls waiting for the one to cover the other.
 */
export class CommitTracker {
  /** Per partition: the last offset reported, and the last acknowledged durable, on this stream. */
  readonly reported = new Map<string, number>();
  private readonly durable = new Map<string, number>();
  private readonly waiters = new Set<CommitWaiter>();

  /** A new stream: nothing reported or acknowledged on it yet. */
  newStream(): void {
    this.reported.clear();
    this.durable.clear();
  }

  /** Resolves once every offset reported so far is acknowledged; REBALANCE_IN_PROGRESS after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    const need = new Map([...this.reported].filter(([key, offset]) => (this.durable.get(key) ?? -1) < offset));
    if (need.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: CommitWaiter = {
        need,
        resolve: () => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (err) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          reject(err);
        },
        // A report that reached the coordinator after it gave the partition up is never
        // acknowledged; the coordinator waits at most half the session timeout for reports.
        timer: setTimeout(
          () =>
            waiter.reject(
              new SamsaError(
                'REBALANCE_IN_PROGRESS',
                'the coordinator did not acknowledge the commit within the session timeout (its partitions were probably taken away)',
              ),
            ),
          timeoutMs,
        ),
      };
      this.waiters.add(waiter);
    });
  }

  committed(offsets: readonly v1.ProcessedOffset__Output[]): void {
    for (const o of offsets) {
      const key = tpKey({ topic: o.topic, partition: o.partition });
      if (o.offset > (this.durable.get(key) ?? -1)) this.durable.set(key, o.offset);
    }
    for (const w of [...this.waiters]) {
      if ([...w.need].every(([key, offset]) => (this.durable.get(key) ?? -1) >= offset)) w.resolve();
    }
  }

  fail(err: Error): void {
    for (const w of [...this.waiters]) w.reject(err);
  }
}

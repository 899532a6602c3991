/**
 * A member of a consumer group, over the coordinator's GroupConsume stream: the coordinator
 * assigns partitions, streams their records, and commits what this side reports processed.
 *
 *   const member = samsa.groupConsumer({ groupId: 'billing', topics: ['orders'] });
 *   for await (const chunk of member.chunks()) { for (const m of chunk) handle(m); }
 *   // or: for await (const m of member) handle(m);
 *   await member.close();   // reports the last chunk, leaves the group, waits for the commit
 *
 * Delivery is at-least-once: a chunk is reported processed when the next one is asked for (or on
 * close()/break), so a crash re-delivers what was handed out but not yet reported.
 *
 * When the coordinator moves (NOT_COORDINATOR), restarts or is unreachable, the member finds the
 * coordinator again and rejoins with a new member id (or the same group instance id), through the
 * retry helper; its partitions resume from their committed offsets.
 *
 * No pause()/resume() here: all partitions of a member share the one stream, whose flow control
 * cannot hold back one partition, and unreported records held past the session timeout get the
 * member removed. Pausing a partition needs protocol messages (docs/groups.md, limits); the
 * assigned Consumer has pause and resume.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { callError } from '../errors.js';
import { retry, type RetryOptions } from '../retry/index.js';
import { toConsumedMessage, type ConsumedMessage } from '../consumer/partition-stream.js';
import type { Groups } from './groups.js';

export interface GroupAssignment {
  memberId: string;
  generation: number;
  partitions: { topic: string; partitions: number[] }[];
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Default 45000 (the coordinator allows 6000..300000 unless configured otherwise). */
  sessionTimeoutMs?: number;
  /** Static membership: a restart with the same id within the session timeout moves nothing. */
  groupInstanceId?: string;
  assignor?: 'range' | 'roundRobin' | 'sticky';
  /** Where partitions without a committed offset start. Default 'earliest'. */
  reset?: 'earliest' | 'latest';
  /** Told of every assignment (on join and on every change). */
  onAssignment?: (assignment: GroupAssignment) => void;
  retry?: RetryOptions;
}

const ASSIGNORS: Record<string, v1.Assignor> = { range: 'ASSIGNOR_RANGE', roundRobin: 'ASSIGNOR_ROUND_ROBIN', sticky: 'ASSIGNOR_STICKY' };
/** Stream failures after which the member finds the coordinator again and rejoins. */
const REJOIN = new Set(['NOT_COORDINATOR', 'NOT_READY', 'UNKNOWN_MEMBER_ID', 'REQUEST_TIMED_OUT']);

type Call = grpc.ClientDuplexStream<v1.GroupConsumeRequest, v1.GroupConsumeResponse__Output>;

export class GroupConsumer implements AsyncIterable<ConsumedMessage> {
  private call: Call | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private unreported: ConsumedMessage[] | undefined;
  private handedOut = false;
  private current: GroupAssignment | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly groups: Groups,
    private readonly options: GroupConsumerOptions,
  ) {}

  /** The last assignment received, if any. */
  get assignment(): GroupAssignment | undefined {
    return this.current;
  }

  [Symbol.asyncIterator](): AsyncGenerator<ConsumedMessage, void, undefined> {
    return this.flatten();
  }

  private async *flatten(): AsyncGenerator<ConsumedMessage, void, undefined> {
    for await (const chunk of this.chunks()) yield* chunk;
  }

  /** Records as they arrive, one array per partition chunk. Read once. */
  async *chunks(): AsyncGenerator<ConsumedMessage[], void, undefined> {
    if (this.handedOut) throw new Error(`the member of group "${this.options.groupId}" is already being read`);
    this.handedOut = true;
    try {
      while (!this.closed) {
        const iterator = await this.connect();
        if (!iterator) return;
        // Set when this stream is done with (failed or ended by the server). Not on break/return:
        // then close() still needs the call to report the last chunk and leave cleanly.
        let dropCall = false;
        try {
          for (;;) {
            const step = await iterator.next();
            if (step.done) break;
            const res = step.value;
            if (res.assignment) {
              this.current = { memberId: res.assignment.memberId, generation: res.assignment.generation, partitions: res.assignment.partitions.map((p) => ({ topic: p.topic, partitions: [...p.partitions] })) };
              this.options.onAssignment?.(this.current);
            } else if (res.records && res.records.records.length > 0) {
              const { topic, partition } = res.records;
              const chunk = res.records.records.map((r) => toConsumedMessage(topic, partition, r));
              this.unreported = chunk;
              yield chunk;
              this.report();
            }
          }
          dropCall = true;
          if (this.closed) return;
          // The coordinator ended the stream without an error (it should not): rejoin.
        } catch (raw) {
          dropCall = true;
          if (this.closed) return;
          const err = callError(raw, 'the group coordinator');
          if (!err.retriable && !REJOIN.has(err.reason)) throw err;
        } finally {
          if (dropCall) {
            this.call?.cancel();
            this.call = undefined;
          }
        }
      }
    } finally {
      await this.close();
    }
  }

  /** Reports the chunk handed out last as processed, leaves the group and waits (up to 10 s) for the final commit. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    const call = this.call;
    if (!call) return;
    this.report();
    await new Promise<void>((resolve) => {
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

  private report(): void {
    const chunk = this.unreported;
    this.unreported = undefined;
    const last = chunk?.at(-1);
    if (!last || !this.call) return;
    this.call.write({ processed: { topic: last.topic, partition: last.partition, offset: last.offset + 1 } });
  }

  /** Finds the coordinator and joins; resolves with the response iterator, or undefined when closed meanwhile. */
  private async connect(): Promise<AsyncIterator<v1.GroupConsumeResponse__Output> | undefined> {
    let refresh = false;
    return retry(
      async () => {
        if (this.closed) return undefined;
        const address = await this.groups.findCoordinator(this.options.groupId, refresh);
        const call = this.cluster.pool.coordinator(address).groupConsume();
        call.on('error', () => undefined);
        this.call = call;
        this.unreported = undefined;
        call.write({
          join: {
            groupId: this.options.groupId,
            topics: [...this.options.topics],
            sessionTimeoutMs: this.options.sessionTimeoutMs ?? 0,
            ...(this.options.groupInstanceId !== undefined ? { groupInstanceId: this.options.groupInstanceId } : {}),
            assignor: this.options.assignor ? (ASSIGNORS[this.options.assignor] ?? 'ASSIGNOR_UNSPECIFIED') : 'ASSIGNOR_UNSPECIFIED',
            reset: this.options.reset === 'latest' ? 'OFFSET_POSITION_LATEST' : 'OFFSET_POSITION_EARLIEST',
          },
        });
        const iterator = call[Symbol.asyncIterator]() as AsyncIterator<v1.GroupConsumeResponse__Output>;
        // The first answer is the assignment, or the join's error: surface it here so it is retried (or not) as one attempt.
        try {
          const first = await iterator.next();
          if (first.done) throw new SamsaError('NOT_READY', 'the coordinator ended the stream at once');
          return prepend(first.value, iterator);
        } catch (err) {
          call.cancel();
          this.call = undefined;
          throw callError(err, address);
        }
      },
      this.options.retry ?? { ...this.cluster.options.retry, retries: 30, maxElapsedMs: 120_000 },
      {
        isRetriable: (err) => !this.closed && (err.retriable || REJOIN.has(err.reason)),
        onRetry: () => {
          refresh = true;
        },
        signal: this.abort.signal,
      },
    );
  }
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

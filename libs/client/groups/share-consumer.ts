/**
 * A member of a share group (queues on the log, ADR 0049, docs/queues.md), over the coordinator's
 * ShareConsume stream: any number of members share the records of the group's topics, each record
 * under a lease, and each record is answered on its own.
 *
 *   const member = samsa.shareConsumer({ group: 'jobs', topics: ['tasks'], maxRecords: 10 });
 *   for await (const m of member) {
 *     try { await handle(m); m.ack(); } catch { m.release(1_000); }   // or m.reject(): to the dead-letter topic
 *   }
 *   await member.close();
 *
 * Each record carries its delivery count (1 the first time). Answers are sent in batches (all
 * answers given in one turn of the event loop go in one message). A record not answered within the
 * group's lease (extend() renews it) is delivered again, possibly to another member; one delivered
 * max attempts times goes to the group's dead-letter topic. The coordinator sends this member at
 * most `maxRecords` records and `maxBytes` bytes it has not answered.
 *
 * Durable answers: `await member.commit()` resolves once every answer given before it has taken
 * effect durably on the coordinator (Kafka's commitSync for share consumers): an acked record is
 * then never delivered again, even after a coordinator failover. It rejects (retriable) when the
 * stream ends first; those answers may or may not have counted, and their records may come again.
 *
 * When the coordinator moves, restarts or is unreachable, the member finds it again and joins anew
 * (new member id); answers for records received on the old stream are dropped (their leases were
 * the old member's, and those records are delivered again). Liveness: a heartbeat every third of
 * the session timeout keeps the member in the group while it works.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { callError } from '../errors.js';
import { retry, type RetryOptions } from '../../runtime/index.js';
import { toConsumedMessage, type ConsumedMessage } from '../consumer/partition-stream.js';
import type { Groups } from './groups.js';
import { REJOIN, endGroupStream } from './group-stream.js';

type ShareCall = grpc.ClientDuplexStream<v1.ShareConsumeRequest, v1.ShareConsumeResponse__Output>;

export interface ShareConsumerOptions {
  group: string;
  topics: readonly string[];
  /** Records with the same key are never held by two members at once, and come in offset order. Group setting. */
  keyOrdered?: boolean;
  /** Records this member may hold unanswered. Default 500. */
  maxRecords?: number;
  /** Bytes (keys and values) this member may hold unanswered. Default 16 MiB. */
  maxBytes?: number;
  /** Group setting: how long a record stays with its member unanswered. Default 30000. */
  leaseMs?: number;
  /** Group setting: deliveries before a record goes to the dead-letter topic. Default 5. */
  maxDeliveryAttempts?: number;
  /** Group setting. Default "<group>.dlq". */
  deadLetterTopic?: string;
  /** Default 45000. */
  sessionTimeoutMs?: number;
  /** Where the group starts a partition it has no state for. Default 'earliest'. */
  reset?: 'earliest' | 'latest';
  retry?: RetryOptions;
}

export interface ShareMessage extends ConsumedMessage {
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** Done: never delivered again. */
  ack(): void;
  /** Give it back: delivered again (to any member) now, or after `delayMs`. */
  release(delayMs?: number): void;
  /** Poison: never delivered again; it goes to the dead-letter topic. */
  reject(): void;
  /** Keep it for another lease. */
  extend(): void;
}

/** The group's configuration in force, from the coordinator's answer to the join. */
export interface ShareMembership {
  memberId: string;
  leaseMs: number;
  maxDeliveryAttempts: number;
  keyOrdered: boolean;
  deadLetterTopic: string;
  maxRecords: number;
  maxBytes: number;
}

/**
 * The responses of one stream, read as they come (not only while the iterator is pulled), so a
 * `committed` confirmation reaches commit() while the caller holds a record. Records are queued:
 * the coordinator never sends past the member's limits, so the queue is bounded by them.
 */
class ShareInbox {
  private readonly queue: v1.ShareConsumeResponse__Output[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: unknown;

  constructor(
    call: ShareCall,
    private readonly onCommitted: (sequence: number) => void,
    private readonly onEnd: (failure: unknown) => void,
  ) {
    call.on('data', (m: v1.ShareConsumeResponse__Output) => {
      if (m.committed) this.onCommitted(Number(m.committed.sequence));
      else this.push(m);
    });
    call.on('error', (err: unknown) => this.finish(err));
    call.on('end', () => this.finish(undefined));
  }

  async next(): Promise<IteratorResult<v1.ShareConsumeResponse__Output, undefined>> {
    for (;;) {
      const m = this.queue.shift();
      if (m) return { value: m, done: false };
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private push(m: v1.ShareConsumeResponse__Output): void {
    this.queue.push(m);
    this.wake();
  }

  private finish(failure: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.onEnd(failure);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

interface CommitWaiter {
  call: ShareCall;
  sequence: number;
  resolve: () => void;
  reject: (err: SamsaError) => void;
}

type AckType = 'SHARE_ACK_ACCEPT' | 'SHARE_ACK_RELEASE' | 'SHARE_ACK_REJECT' | 'SHARE_ACK_EXTEND';

interface Pending {
  topic: string;
  partition: number;
  offset: number;
  type: AckType;
  delayMs: number;
}

export class ShareConsumer implements AsyncIterable<ShareMessage> {
  private call: ShareCall | undefined;
  private current: ShareMembership | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private handedOut = false;
  private readonly abort = new AbortController();
  private pending: Pending[] = [];
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Sequence of the last ShareAcks sent for a commit() on the current stream. */
  private sequence = 0;
  private commits: CommitWaiter[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly groups: Groups,
    private readonly options: ShareConsumerOptions,
  ) {
    if (!options.group) throw new SamsaError('INVALID_REQUEST', 'shareConsumer: group is required');
    if (options.topics.length === 0) throw new SamsaError('INVALID_REQUEST', 'shareConsumer: topics must name at least one topic');
  }

  /** The membership of the current stream (undefined before the first join). */
  get membership(): ShareMembership | undefined {
    return this.current;
  }

  [Symbol.asyncIterator](): AsyncIterator<ShareMessage> {
    return this.messages();
  }

  /** Records as they arrive, each to be answered. Read once. */
  async *messages(): AsyncGenerator<ShareMessage, void, undefined> {
    if (this.handedOut) throw new Error(`the member of share group "${this.options.group}" is already being read`);
    this.handedOut = true;
    try {
      while (!this.closed) {
        const opened = await this.connect();
        if (!opened) return;
        const { call, inbox } = opened;
        // Set when this stream is done with (failed or ended by the server). Not on break/return:
        // close() then still needs the call to send the last answers and leave.
        let dropCall = false;
        try {
          for (;;) {
            const step = await inbox.next();
            if (step.done) break;
            const batch = step.value.records;
            if (!batch) continue;
            for (const r of batch.records) {
              if (!r.record) continue;
              yield this.message(call, toConsumedMessage(batch.topic, batch.partition, r.record), r.deliveryCount);
            }
          }
          dropCall = true;
          if (this.closed) return;
        } catch (raw) {
          dropCall = true;
          if (this.closed) return;
          const err = callError(raw, 'the share-group coordinator');
          if (!err.retriable && !REJOIN.has(err.reason)) throw err;
        } finally {
          if (dropCall && this.call === call && !this.closed) {
            this.stopHeartbeat();
            call.cancel();
            this.call = undefined;
          }
        }
      }
    } finally {
      await this.close();
    }
  }

  /**
   * Sends the answers given so far and resolves once they (and every earlier one) have taken
   * effect durably on the coordinator. Rejects, retriable, when the stream ends first (a
   * coordinator failover: those answers may not have counted, and their records may come again,
   * to this member or another) or when the member has no stream.
   */
  commit(): Promise<void> {
    const call = this.call;
    if (!call || this.closed)
      return Promise.reject(
        new SamsaError(
          'NOT_COORDINATOR',
          `the member of share group "${this.options.group}" has no stream now; answers given before were dropped`,
        ),
      );
    const sequence = ++this.sequence;
    const done = new Promise<void>((resolve, reject) => this.commits.push({ call, sequence, resolve, reject }));
    this.flush(call, sequence);
    return done;
  }

  private committed(call: ShareCall, sequence: number): void {
    const left: CommitWaiter[] = [];
    for (const w of this.commits) {
      if (w.call === call && w.sequence <= sequence) w.resolve();
      else left.push(w);
    }
    this.commits = left;
  }

  private streamEnded(call: ShareCall, failure: unknown): void {
    const left: CommitWaiter[] = [];
    for (const w of this.commits) {
      if (w.call !== call) {
        left.push(w);
        continue;
      }
      const cause = failure === undefined ? undefined : callError(failure, 'the share-group coordinator');
      w.reject(
        new SamsaError(
          'NOT_COORDINATOR',
          `the share-group stream ended before the answers were confirmed${cause ? ` (${cause.message})` : ''}; they may not have counted`,
        ),
      );
    }
    this.commits = left;
  }

  /** Sends the answers given so far, leaves the group (what this member holds unanswered goes back at once). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.stopHeartbeat();
    const call = this.call;
    this.call = undefined;
    if (!call) return;
    this.flush(call);
    call.write({ leave: true });
    await endGroupStream(call);
  }

  private message(call: ShareCall, m: ConsumedMessage, deliveryCount: number): ShareMessage {
    const answer = (type: AckType, delayMs = 0): void =>
      this.answer(call, { topic: m.topic, partition: m.partition, offset: m.offset, type, delayMs });
    return {
      ...m,
      deliveryCount,
      ack: () => answer('SHARE_ACK_ACCEPT'),
      release: (delayMs?: number) => answer('SHARE_ACK_RELEASE', Math.max(0, Math.floor(delayMs ?? 0))),
      reject: () => answer('SHARE_ACK_REJECT'),
      extend: () => answer('SHARE_ACK_EXTEND'),
    };
  }

  private answer(call: ShareCall, a: Pending): void {
    // An answer for a record of an older stream: its lease was the old member's; it is delivered again.
    if (call !== this.call) return;
    this.pending.push(a);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.call === call) this.flush(call);
      else this.pending = [];
    });
  }

  /**
   * One ShareAcks message: consecutive offsets of one partition with the same answer become one
   * range. With `sequence` it is sent even without answers (the confirmation covers earlier ones).
   */
  private flush(call: ShareCall, sequence = 0): void {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0 && sequence === 0) return;
    const acks: v1.ShareAck[] = [];
    let last: (v1.ShareAck & { fromOffset: number; toOffset: number }) | undefined;
    for (const p of pending) {
      if (
        last &&
        last.topic === p.topic &&
        last.partition === p.partition &&
        last.type === p.type &&
        last.delayMs === p.delayMs &&
        p.offset === last.toOffset + 1
      ) {
        last.toOffset = p.offset;
        continue;
      }
      last = { topic: p.topic, partition: p.partition, fromOffset: p.offset, toOffset: p.offset, type: p.type, delayMs: p.delayMs };
      acks.push(last);
    }
    call.write({ acks: { acks, sequence } });
  }

  private connect(): Promise<{ call: ShareCall; inbox: ShareInbox } | undefined> {
    let refresh = false;
    const o = this.options;
    return retry(
      async () => {
        if (this.closed) return undefined;
        const address = await this.groups.findCoordinator(o.group, refresh);
        const call = this.cluster.pool.coordinator(address).shareConsume();
        this.call = call;
        this.sequence = 0;
        const inbox = new ShareInbox(
          call,
          (sequence) => this.committed(call, sequence),
          (failure) => this.streamEnded(call, failure),
        );
        call.write({
          join: {
            groupId: o.group,
            topics: [...o.topics],
            sessionTimeoutMs: o.sessionTimeoutMs ?? 0,
            reset: o.reset === 'latest' ? 'OFFSET_POSITION_LATEST' : 'OFFSET_POSITION_EARLIEST',
            maxRecords: o.maxRecords ?? 0,
            maxBytes: o.maxBytes ?? 0,
            leaseMs: o.leaseMs ?? 0,
            maxDeliveryAttempts: o.maxDeliveryAttempts ?? 0,
            ...(o.keyOrdered !== undefined ? { keyOrdered: o.keyOrdered } : {}),
            deadLetterTopic: o.deadLetterTopic ?? '',
          },
        });
        try {
          const first = await inbox.next();
          if (first.done || !first.value.joined) throw new SamsaError('NOT_READY', 'the coordinator ended the share stream at once');
          const j = first.value.joined;
          this.current = {
            memberId: j.memberId,
            leaseMs: j.leaseMs,
            maxDeliveryAttempts: j.maxDeliveryAttempts,
            keyOrdered: j.keyOrdered,
            deadLetterTopic: j.deadLetterTopic,
            maxRecords: j.maxRecords,
            maxBytes: Number(j.maxBytes),
          };
          this.startHeartbeat(call);
          return { call, inbox };
        } catch (err) {
          call.cancel();
          if (this.call === call) this.call = undefined;
          throw callError(err, address);
        }
      },
      o.retry ?? { ...this.cluster.options.retry, retries: 30, maxElapsedMs: 120_000 },
      {
        isRetriable: (err) => !this.closed && (err.retriable || REJOIN.has(err.reason)),
        onRetry: () => {
          refresh = true;
        },
        signal: this.abort.signal,
      },
    );
  }

  private startHeartbeat(call: ShareCall): void {
    this.stopHeartbeat();
    const every = Math.max(500, Math.floor((this.options.sessionTimeoutMs ?? 45_000) / 3));
    this.heartbeat = setInterval(() => {
      if (this.call === call) call.write({ heartbeat: true });
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

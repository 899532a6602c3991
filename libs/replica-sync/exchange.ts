/**
 * One exchange of the Replicate protocol for one partition, without the network: what the leader
 * answers to a follower's position, and what the follower does with that answer. The gRPC loops
 * (services/broker/handlers/replicate.ts, leader-fetcher.ts) call these for every partition of every exchange, and the
 * protocol's property test (test/unit/replica-sync/protocol.test.ts) calls the same functions, so
 * the test drives the code that runs.
 *
 * Leader, per position: checkPosition (epoch fencing, KIP-320 divergence, range; records the
 * follower's progress, which may move the HW), then, when that left nothing to answer yet and the
 * stream has room, readPosition (stored batch bytes from the fetch offset, never re-encoded).
 * Follower, per answer: applyPartitionData (append and take the HW, or truncate where the logs
 * diverge, or start over at the leader's log start, or report a refusal for the caller to pace).
 */
import { SamsaError, toSamsaError } from '../errors/index.js';
import type { v1 } from '../rpc/index.js';
import type { ReadInto } from '../log/index.js';
import type { Partition } from '../replica/index.js';
import {
  SpanKind,
  extractTraceContext,
  injectTraceContext,
  withRemoteParent,
  withSpan,
  type Logger,
  type TraceCarrier,
} from '../telemetry/index.js';
import { truncationPlan } from './divergence.js';

/** A follower position as the leader checked it. */
export interface Checked {
  position: v1.ReplicaPartitionPosition__Output;
  partition: Partition | undefined;
  /** Set when this partition is answered without data (error or divergence). */
  answer: v1.ReplicaPartitionData | undefined;
}

/** Who fetches: the follower broker and the incarnation it says it is. */
export interface FollowerIdentity {
  id: number;
  brokerEpoch: number;
}

/**
 * Leader: checks `position` of `follower` against `partition` (undefined: not hosted here, named
 * by `brokerId` in the refusal). On success the follower's progress is recorded (Partition.
 * checkFollowerFetch) and `answer` is unset: the data is still to be read. A divergence or a
 * refusal is the answer itself. Never throws.
 */
export function checkPosition(
  brokerId: number,
  partition: Partition | undefined,
  follower: FollowerIdentity,
  position: v1.ReplicaPartitionPosition__Output,
): Checked {
  try {
    if (!partition)
      throw new SamsaError('NOT_LEADER_OR_FOLLOWER', `broker ${brokerId} does not host ${position.topic}-${position.partition}`);
    const result = partition.checkFollowerFetch({
      followerId: follower.id,
      followerBrokerEpoch: follower.brokerEpoch,
      fetchOffset: position.fetchOffset,
      lastFetchedEpoch: position.lastFetchedEpoch,
      currentLeaderEpoch: position.currentLeaderEpoch,
    });
    if (result.kind === 'ok') return { position, partition, answer: undefined };
    return {
      position,
      partition,
      answer: {
        topic: position.topic,
        partition: position.partition,
        highWatermark: partition.highWatermark,
        logStartOffset: partition.logStartOffset,
        divergingEndOffset: result.endOffset,
        divergingEpoch: result.epoch,
      },
    };
  } catch (err) {
    return { position, partition, answer: errorData(position, err, partition) };
  }
}

/** The answer for a position the leader refuses (`err`'s reason and message). */
export function errorData(
  position: v1.ReplicaPartitionPosition__Output,
  err: unknown,
  partition: Partition | undefined,
): v1.ReplicaPartitionData {
  const e = toSamsaError(err);
  return {
    topic: position.topic,
    partition: position.partition,
    highWatermark: -1,
    // OFFSET_OUT_OF_RANGE: where the follower must start over.
    logStartOffset: partition && !partition.closed ? partition.logStartOffset : -1,
    errorReason: e.reason,
    errorMessage: e.message,
  };
}

/** A data answer: the wire message with its fields known to be set. */
export interface DataAnswer extends v1.ReplicaPartitionData {
  topic: string;
  partition: number;
  highWatermark: number;
  logStartOffset: number;
  batches: Buffer;
  traceContext: TraceCarrier;
}

/**
 * Leader: the answer for a position checkPosition accepted: stored batches from the fetch offset
 * (at least one whole batch when there is any, so possibly more than `maxBytes`; none when
 * `maxBytes` is 0 or nothing is new), the HW and the log start; or, when the read fails, the
 * refusal to send instead. Bytes read from a file or from the tail cache land in buffers from
 * `into` when given.
 */
export async function readPosition(
  partition: Partition,
  followerId: number,
  position: v1.ReplicaPartitionPosition__Output,
  maxBytes: number,
  into?: ReadInto,
): Promise<{ ok: true; data: DataAnswer } | { ok: false; refusal: v1.ReplicaPartitionData }> {
  let batches: Buffer = Buffer.alloc(0);
  let traceContext: TraceCarrier = {};
  try {
    if (maxBytes > 0 && partition.logEndOffset > position.fetchOffset) {
      ({ batches, traceContext } = await readTraced(partition, followerId, position.fetchOffset, maxBytes, into));
    }
  } catch (err) {
    return { ok: false, refusal: errorData(position, err, partition) };
  }
  return {
    ok: true,
    data: {
      topic: position.topic,
      partition: position.partition,
      highWatermark: partition.highWatermark,
      logStartOffset: partition.logStartOffset,
      batches,
      traceContext,
    },
  };
}

/**
 * Reads for a follower. When the first batch read was appended inside a trace (a traced produce),
 * the read is the span `replication.send` in that trace, and its context goes to the follower;
 * untraced data costs no span.
 */
async function readTraced(
  partition: Partition,
  followerId: number,
  offset: number,
  maxBytes: number,
  into: ReadInto | undefined,
): Promise<{ batches: Buffer; traceContext: TraceCarrier }> {
  const produced = partition.traceContextAt(offset);
  if (produced.traceparent === undefined)
    return { batches: (await partition.readForFollower(offset, maxBytes, into)).bytes, traceContext: {} };
  const attributes = {
    'samsa.topic': partition.topic,
    'samsa.partition': partition.partition,
    'samsa.follower_id': followerId,
    'samsa.fetch_offset': offset,
  };
  return withRemoteParent(
    'replication.send',
    produced,
    attributes,
    async (span) => {
      const { bytes } = await partition.readForFollower(offset, maxBytes, into);
      span.setAttribute('samsa.bytes', bytes.length);
      return { batches: bytes, traceContext: injectTraceContext() };
    },
    SpanKind.PRODUCER,
  );
}

/**
 * What the follower made of one partition's answer: `applied` (data appended, possibly none, and
 * the HW taken), `truncated` (the logs diverged; cut, ask again), `restarted` (below the leader's
 * log start; emptied and moved there), or `refused` with the leader's reason (the caller paces
 * the next ask: briefly for a leader-epoch race, longer otherwise).
 */
export type ApplyOutcome =
  | { kind: 'applied'; bytes: number }
  | { kind: 'truncated'; offset: number }
  | { kind: 'restarted'; offset: number }
  | { kind: 'refused'; reason: string; message: string };

/**
 * Follower: applies the leader's answer `data` to `p`, which follows the leader of `epoch`.
 * Throws what the partition throws (FENCED when it moved to another epoch meanwhile, a log error).
 */
export async function applyPartitionData(
  p: Partition,
  data: v1.ReplicaPartitionData__Output,
  epoch: number,
  leaderId: number,
  logger: Logger,
): Promise<ApplyOutcome> {
  const key = `${data.topic}/${data.partition}`;
  if (data.errorReason) {
    if (data.errorReason === 'OFFSET_OUT_OF_RANGE' && data.logStartOffset >= 0 && p.logEndOffset < data.logStartOffset) {
      logger.warn(
        { partition: key, logEndOffset: p.logEndOffset, leaderLogStart: data.logStartOffset },
        "fell below the leader's log start; starting over there",
      );
      await p.restartAsFollowerAt(data.logStartOffset, epoch);
      return { kind: 'restarted', offset: data.logStartOffset };
    }
    return { kind: 'refused', reason: data.errorReason, message: data.errorMessage };
  }
  if (data.divergingEndOffset !== undefined) {
    const plan = truncationPlan({
      leaderEpoch: data.divergingEpoch ?? -1,
      leaderEndOffset: data.divergingEndOffset,
      leaderLogStartOffset: data.logStartOffset,
      ours: p.endOffsetForEpoch(data.divergingEpoch ?? -1),
      ourLogStartOffset: p.logStartOffset,
      ourLogEndOffset: p.logEndOffset,
    });
    logger.info(
      {
        partition: key,
        leader: leaderId,
        leaderEpoch: epoch,
        divergingEpoch: data.divergingEpoch,
        leaderEndOffset: data.divergingEndOffset,
        logEndOffset: p.logEndOffset,
        plan,
      },
      'log diverges from the leader; truncating',
    );
    if (plan.kind === 'restart') {
      await p.restartAsFollowerAt(plan.offset, epoch);
      return { kind: 'restarted', offset: plan.offset };
    }
    await p.truncateAsFollower(plan.offset, epoch);
    return { kind: 'truncated', offset: plan.offset };
  }
  if (data.batches.length === 0) {
    await p.appendAsFollower(data.batches, epoch, data.highWatermark);
    return { kind: 'applied', bytes: 0 };
  }
  // A child of the leader's replication.send when the data came from a traced produce.
  await withSpan(
    'replication.append',
    { 'samsa.topic': data.topic, 'samsa.partition': data.partition, 'samsa.bytes': data.batches.length, 'samsa.leader': leaderId },
    () => p.appendAsFollower(data.batches, epoch, data.highWatermark),
    { kind: SpanKind.CONSUMER, parent: extractTraceContext(data.traceContext) },
  );
  return { kind: 'applied', bytes: data.batches.length };
}

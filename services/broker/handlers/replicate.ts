/**
 * The leader side of replication: the ReplicationService a follower broker calls. The gRPC
 * adapter lives here with the broker's other handlers; the per-partition protocol steps it runs
 * (check, read) are libs/replica-sync exchange.ts, shared with the follower and the property test.
 *
 * Replicate is one bidirectional stream per follower broker, multiplexing every partition the
 * follower follows here. It is request/response in lockstep: the follower sends its positions,
 * the leader answers once, then waits for the next request. So at most one response per stream is
 * in flight — back-pressure both ways without a window of our own — and the follower's next
 * request is also its acknowledgement of what it appended (its new fetch offsets), which is what
 * moves the high watermark and completes acks=all produces.
 *
 * The stream is an incremental fetch session (KIP-227; libs/replica-sync fetch-session.ts, ADR
 * 0058): a request says which positions changed since the previous one on this stream, and the
 * leader answers about every position it holds, changed or not, as if the request had listed them
 * all. An idle partition then costs no bytes on the wire and no decoding on either side, and its
 * check here reuses the Partition found for it before (no lookup, no await).
 *
 * Per request: every held position is checked first (epoch fencing, divergence, range: see
 * libs/replica-sync checkPosition), which records the follower's progress; then, when no partition
 * has data past the fetch offset, the request is parked until one does, up to max_wait_ms, or,
 * when some high watermark has moved since this stream last sent it, up to HW_LINGER_MS (the new
 * HW then goes out with the next data, or alone). Data are the stored batch bytes, never decoded
 * or re-encoded.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../../libs/errors/index.js';
import { bidiStream, writeWithBackpressure, type v1 } from '../../../libs/rpc/index.js';
import type { ReadBufferPool, ReadInto } from '../../../libs/log/index.js';
import type { Partition, ReplicaManager } from '../../../libs/replica/index.js';
import type { Logger } from '../../../libs/telemetry/index.js';
import { checkPosition, errorData, readPosition, LeaderSession, type Checked, type LeaderHeld } from '../../../libs/replica-sync/index.js';
import { StreamWait } from './replicate-wait.js';

export interface LeaderServiceOptions {
  brokerId: number;
  replicas: ReplicaManager;
  logger: Logger;
  /** Aborted when the broker shuts down: parked requests answer and streams end. */
  shutdown: AbortSignal;
  /** The gRPC message limit: one response never exceeds it. */
  maxMessageBytes: number;
  /** The registered broker epoch of broker `id` as the cluster view knows it (undefined: not registered). */
  brokerEpochOf: (id: number) => number | undefined;
  /** Reused buffers for the reads of one response, released once grpc-js has sent it. */
  readBuffers: ReadBufferPool;
}

/** Longest a request is parked when the follower asks for more (or for nothing). */
const MAX_WAIT_CAP_MS = 5_000;
const DEFAULT_WAIT_MS = 500;
/** How long a response that would carry only new high watermarks waits for data to go with it. */
const HW_LINGER_MS = 5;
/** Room for the fields around the batches in one response. */
const RESPONSE_OVERHEAD_BYTES = 64 * 1024;

type ReplicateCall = grpc.ServerDuplexStream<v1.ReplicaFetchRequest__Output, v1.ReplicaFetchResponse>;

export function replicationHandlers(options: LeaderServiceOptions): v1.ReplicationServiceHandlers {
  return {
    Replicate: bidiStream((call) => serveFollower(options, call)),
  };
}

async function serveFollower(options: LeaderServiceOptions, call: ReplicateCall): Promise<void> {
  const gone = new AbortController();
  const parking = new StreamWait();
  const onGone = (): void => {
    gone.abort();
    parking.close();
  };
  call.on('cancelled', onGone);
  call.on('close', onGone);
  options.shutdown.addEventListener('abort', onGone, { once: true });
  /** Last HW sent per partition on this stream, so a follower learns every HW move promptly. */
  const sentHw = new Map<string, number>();
  const session = new LeaderSession<Partition>();
  try {
    // destroyOnReturn: false — leaving the loop must not destroy the call, or the status sent
    // below (NOT_READY on shutdown) is dropped and the stream stays open until forceShutdown.
    for await (const raw of call.iterator({ destroyOnReturn: false }) as AsyncIterable<v1.ReplicaFetchRequest__Output>) {
      if (gone.signal.aborted) break;
      // The response's reads (from the file or the tail cache) land in this lease's buffers,
      // which are this exchange's until grpc-js has copied the response into its frame.
      const lease = options.readBuffers.lease();
      const response = await answer(options, raw, session, sentHw, parking, lease.into);
      // Tells the follower its incremental requests are understood (an older leader never says so).
      response.session = true;
      if (!(await writeWithBackpressure(call, response, () => lease.release()))) break;
    }
  } catch (err) {
    // A follower that vanishes mid-stream is routine; anything else is worth a line.
    if (!gone.signal.aborted) options.logger.warn({ err }, 'replication stream failed');
  } finally {
    call.off('cancelled', onGone);
    call.off('close', onGone);
    options.shutdown.removeEventListener('abort', onGone);
    onGone();
  }
  if (options.shutdown.aborted) throw new SamsaError('NOT_READY', `broker ${options.brokerId} is shutting down`);
}

async function answer(
  options: LeaderServiceOptions,
  request: v1.ReplicaFetchRequest__Output,
  session: LeaderSession<Partition>,
  sentHw: Map<string, number>,
  parking: StreamWait,
  into: ReadInto,
): Promise<v1.ReplicaFetchResponse> {
  const followerId = request.followerId;
  session.apply(request);
  const held = session.held();
  const stale = staleIncarnation(options, request);
  if (stale) return { partitions: held.map((h) => errorData(h.position, stale, undefined)) };
  const checked: Checked[] = [];
  for (const h of held) {
    const c = check(options, followerId, Number(request.followerBrokerEpoch), h);
    checked.push(c instanceof Promise ? await c : c);
  }

  const key = (p: v1.ReplicaPartitionPosition__Output): string => `${p.topic}/${p.partition}`;
  const hasData = (c: Checked): boolean =>
    c.answer !== undefined || (c.partition !== undefined && c.partition.logEndOffset > c.position.fetchOffset);
  const hasHwNews = (c: Checked): boolean => c.partition !== undefined && c.partition.highWatermark !== sentHw.get(key(c.position));
  if (checked.length > 0 && !checked.some(hasData)) {
    // From here to the wait nothing awaits: a change after the checks above reaches the park.
    const hwNews = checked.some(hasHwNews);
    parking.begin();
    for (const c of checked) {
      const p = c.partition;
      if (!p) continue;
      // With a high watermark to tell, only data is news; otherwise (every HW as sent) a HW move is too.
      parking.follow(p, c.position.fetchOffset, hwNews ? undefined : p.highWatermark);
    }
    if (hwNews) {
      // Hold the HW briefly for data to go with it. Answering at once costs a second exchange per
      // produce on each stream, and the follower's request would be out of the leader's hands
      // just when the next produce's data arrives (one more hop on the acks=all path). The
      // follower's HW is at most this much later than the leader's.
      await parking.wait(HW_LINGER_MS);
    } else {
      await parking.wait(Math.min(request.maxWaitMs > 0 ? request.maxWaitMs : DEFAULT_WAIT_MS, MAX_WAIT_CAP_MS));
    }
  }

  const budget = Math.max(
    1,
    Math.min(request.maxBytes > 0 ? request.maxBytes : options.maxMessageBytes, options.maxMessageBytes - RESPONSE_OVERHEAD_BYTES),
  );
  let used = 0;
  const out: v1.ReplicaPartitionData[] = [];
  for (const c of checked) {
    if (c.answer) {
      out.push(c.answer);
      continue;
    }
    const partition = c.partition as Partition;
    // Nothing new for this one (no data past the fetch offset, the HW as last sent): leave it out
    // without reading, so a response over many partitions stays small and an idle one costs nothing.
    if (partition.logEndOffset <= c.position.fetchOffset && sentHw.get(key(c.position)) === partition.highWatermark) continue;
    // A follower throttling this replica (a reassignment adding it) bounds it on its own.
    const room = used < budget ? budget - used : 0;
    const bound = c.position.maxBytes > 0 ? Math.min(room, c.position.maxBytes) : room;
    const read = await readPosition(partition, followerId, c.position, bound, into);
    if (!read.ok) {
      out.push(read.refusal);
      continue;
    }
    const data = read.data;
    // The log returns at least one whole batch; never let that push the message past the limit.
    if (used > 0 && used + data.batches.length > budget) data.batches = Buffer.alloc(0);
    used += data.batches.length;
    // Nothing new for this one: leave it out, so a response over many partitions stays small.
    if (data.batches.length === 0 && sentHw.get(key(c.position)) === data.highWatermark) continue;
    sentHw.set(key(c.position), data.highWatermark);
    out.push(data);
  }
  return { partitions: out };
}

/**
 * FENCED when either end of the stream is not the incarnation the other believes in: this process
 * is not the leader incarnation the follower's metadata names, or the follower is not the process
 * registered under its id (KIP-380). 0 means "not sent" (an older follower) and is not checked.
 */
function staleIncarnation(options: LeaderServiceOptions, request: v1.ReplicaFetchRequest__Output): SamsaError | undefined {
  const own = options.replicas.brokerEpoch;
  const wanted = Number(request.leaderBrokerEpoch);
  if (wanted !== 0 && wanted !== own) {
    return new SamsaError(
      'FENCED',
      `broker ${options.brokerId} is incarnation ${own ?? 'unregistered'}, not ${wanted} that the follower's metadata names`,
    );
  }
  const follower = Number(request.followerBrokerEpoch);
  const registered = options.brokerEpochOf(request.followerId);
  if (follower !== 0 && follower !== registered) {
    return new SamsaError(
      'FENCED',
      `follower ${request.followerId} is incarnation ${follower} but broker ${request.followerId} is registered as ${registered ?? 'nothing'}`,
    );
  }
  return undefined;
}

/**
 * Checks one held position; the replica found for it is kept with it, and used again while it is
 * the one hosted (no lookup, no await: most held positions of a large session are idle ones).
 */
function check(
  options: LeaderServiceOptions,
  followerId: number,
  followerBrokerEpoch: number,
  held: LeaderHeld<Partition>,
): Checked | Promise<Checked> {
  const follower = { id: followerId, brokerEpoch: followerBrokerEpoch };
  if (held.partition && options.replicas.isHosted(held.partition))
    return checkPosition(options.brokerId, held.partition, follower, held.position);
  return lookUpAndCheck(options, follower, held);
}

async function lookUpAndCheck(
  options: LeaderServiceOptions,
  follower: { id: number; brokerEpoch: number },
  held: LeaderHeld<Partition>,
): Promise<Checked> {
  const { position } = held;
  held.partition = undefined;
  let partition: Partition | undefined;
  try {
    partition = await options.replicas.partition(position.topic, position.partition);
  } catch (err) {
    return { position, partition: undefined, answer: errorData(position, err, undefined) };
  }
  held.partition = partition;
  return checkPosition(options.brokerId, partition, follower, position);
}

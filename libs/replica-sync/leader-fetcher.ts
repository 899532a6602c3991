/**
 * The follower side of one broker pair: one Replicate stream from this broker to one leader
 * broker, carrying every partition this broker follows there. A loop owned by this object sends
 * the positions (fetch offset = our log end offset, the epoch of our last batch, the leader epoch
 * we follow; after the stream's first request only those that changed: fetch-session.ts),
 * applies the answer partition by partition (append the leader's bytes as they are, take its
 * high watermark, or truncate where our log diverges, or start over at its log start), and asks
 * again. A broken stream is reopened with backoff; a partition the leader refuses is set
 * aside briefly so the others keep flowing.
 */
import { fromServiceError, replicationClient, type RpcLimits, type v1 } from '../rpc/index.js';
import { SamsaError, toSamsaError } from '../errors/index.js';
import type { Partition } from '../replica/index.js';
import type { Logger } from '../telemetry/index.js';
import { addingThrottle } from '../cluster/index.js';
import { LockstepStream } from './lockstep-stream.js';
import type { ReassignmentThrottle } from './reassignment-throttle.js';
import { applyPartitionData } from './exchange.js';
import { FollowerSession, positionKey } from './fetch-session.js';
import { Backoff, systemClock, type Clock } from '../runtime/index.js';

export interface FetcherSettings {
  brokerId: number;
  /** Bytes the leader may send per response. */
  maxBytes: number;
  /** How long the leader may park a request with nothing new. */
  maxWaitMs: number;
  limits: RpcLimits;
  logger: Logger;
  /** host:port of a broker, undefined while it is not registered. */
  addressOf: (brokerId: number) => string | undefined;
  /** The registered broker epoch (incarnation) of a broker, undefined while it is not registered. */
  brokerEpochOf: (brokerId: number) => number | undefined;
  /** This broker's throttle of the replicas a reassignment is adding here (shared by every fetcher). */
  throttle?: ReassignmentThrottle;
  /** Default: the system clock. */
  clock?: Clock;
}

/** Reconnecting to a leader after a broken stream: at once-ish at first, then every couple of seconds. */
const RECONNECT_BACKOFF = { initialDelayMs: 100, maxDelayMs: 2_000 } as const;
/** A partition the leader refused is left out of requests for this long. */
const REFUSED_PAUSE_MS = 300;
/**
 * ... unless the refusal is a leader epoch race right after an election (FENCED,
 * NOT_LEADER_OR_FOLLOWER): both sides learn the new epoch from the same etcd watch within
 * milliseconds, and every acks=all write to the partition waits for this follower meanwhile. A
 * 300 ms pause there was most of a controlled leader move's write gap (docs/benchmarks.md, Failover).
 */
const EPOCH_RACE_PAUSE_MS = 25;
/**
 * The stream's own liveness: a response later than max wait + this means the leader, or the path
 * to it, is stuck (paused, partitioned, a half-open connection). The stream *and its channel* are
 * then torn down and a new connection is made, instead of waiting on TCP retransmission: a
 * packet-dropping cut left the old connection looking alive, and after the heal the follower
 * waited the old 10 s slack plus the kernel's retransmission backoff (full ISR 14-15 s after the
 * heal, docs/benchmarks.md, Failover). A leader answers within max wait plus one read of at most
 * fetch max bytes from the page cache; 2.5 s of slack covers a loaded machine, and a false alarm
 * costs one reconnect.
 */
export const RESPONSE_SLACK_MS = 2_500;

type Stream = LockstepStream<v1.ReplicaFetchRequest, v1.ReplicaFetchResponse__Output>;

export class LeaderFetcher {
  private readonly partitions = new Map<string, Partition>();
  private readonly pausedUntil = new Map<string, number>();
  private client: v1.ReplicationServiceClient | undefined;
  private clientAddress: string | undefined;
  private stream: Stream | undefined;
  private closed = false;
  private readonly reconnect = new Backoff(RECONNECT_BACKOFF);
  private readonly clock: Clock;
  /** What the leader holds for the current stream (replaced with the stream). */
  private session = new FollowerSession();
  /**
   * The current stream's leader answered without `session`: it predates incremental sessions and
   * takes each request as a full list, so every request on this stream lists every position.
   */
  private fullRequests = false;
  /** Wakes the loop early (partitions added, close). */
  private wake: (() => void) | undefined;
  /** A request is out on the stream (possibly parked at the leader for up to maxWaitMs). */
  private exchanging = false;
  /** The stream was cancelled on purpose to ask again at once: not a failure. */
  private reasking = false;
  private readonly loop: Promise<void>;

  constructor(
    readonly leaderId: number,
    private readonly settings: FetcherSettings,
  ) {
    this.clock = settings.clock ?? systemClock;
    this.loop = this.run();
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Replaces the set of partitions fetched from this leader. */
  setPartitions(partitions: readonly Partition[]): void {
    const next = new Map(partitions.map((p) => [keyOf(p.topic, p.partition), p]));
    for (const key of this.partitions.keys()) if (!next.has(key)) this.pausedUntil.delete(key);
    const added = [...next.keys()].some((k) => !this.partitions.has(k));
    this.partitions.clear();
    for (const [k, p] of next) this.partitions.set(k, p);
    if (!added) return;
    this.wake?.();
    // The request out may sit parked at the leader for up to maxWaitMs without the new partitions
    // (their first acks=all write would wait that long: 300-600 ms measured after a topic was
    // created, and after a failover). Cancel it and ask again at once with them.
    if (this.exchanging && this.stream) {
      this.reasking = true;
      this.stream.close();
    }
  }

  /** Stops the loop, cancels the stream and closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    this.stream?.close();
    this.wake?.();
    await this.loop;
    this.client?.close();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const request = this.nextRequest();
      if (!request) {
        await this.sleep(this.nextPauseEnd());
        continue;
      }
      let response: v1.ReplicaFetchResponse__Output;
      try {
        this.exchanging = true;
        response = await this.openStream().exchange(request.message, this.settings.maxWaitMs + RESPONSE_SLACK_MS);
      } catch (err) {
        this.stream = undefined;
        if (this.closed) return;
        if (this.reasking) {
          this.reasking = false;
          continue;
        }
        // No answer in time: the connection under the stream may be dead without knowing it (a
        // new stream on it would hang the same way, and the channel's own reconnect attempt may
        // sit in SYN retransmission). Start over on a new channel, at once: the deadline itself
        // spaces these attempts, and a backoff on top would only delay the first one after a heal.
        const timedOut = err instanceof SamsaError && err.reason === 'REQUEST_TIMED_OUT';
        if (timedOut) this.dropChannel();
        const backoff = this.reconnect.next(); // counted either way, so a later failure waits longer
        const delay = timedOut ? 0 : backoff;
        const level = this.reconnect.failures <= 1 ? 'info' : 'warn';
        this.settings.logger[level](
          { err: fromServiceError(err), leader: this.leaderId, retryInMs: delay },
          'replication stream to the leader broke; reconnecting',
        );
        await this.sleep(this.clock.nowMs() + delay);
        continue;
      } finally {
        this.exchanging = false;
      }
      this.reconnect.reset();
      if (!response.session) this.fullRequests = true;
      // A response that came before the cancel took effect is as good as any.
      this.reasking = false;
      await this.apply(response, request.session, request.throttled);
    }
  }

  /**
   * The next request: this round's positions as a change to what the leader holds for this stream
   * (FollowerSession; a new stream starts a new session, so its first request lists everything).
   * Undefined when there is nothing to ask.
   */
  private nextRequest(): { message: v1.ReplicaFetchRequest; session: FollowerSession; throttled: Map<string, number> } | undefined {
    const now = this.clock.nowMs();
    if (this.partitions.size === 0) return undefined;
    // Only from the leader incarnation the controller published: a leader process that restarted
    // has not been handed these partitions yet (its new epoch comes with the controller's next state).
    const leaderIncarnation = this.settings.brokerEpochOf(this.leaderId);
    const ownIncarnation = this.settings.brokerEpochOf(this.settings.brokerId);
    if (leaderIncarnation === undefined || ownIncarnation === undefined) return undefined;
    // The stream this request goes out on is opened (openStream) right after this, with no await
    // between: when there is none now, the leader will hold nothing, so the session starts over.
    if (!this.stream || this.stream.broken) {
      this.session = new FollowerSession();
      this.fullRequests = false;
    } else if (this.fullRequests) this.session = new FollowerSession();
    const session = this.session;
    session.begin();
    const throttled = new Map<string, number>();
    // Throttled replicas of this request and the rate the bucket refills at for them (the smallest).
    const throttledPartitions: [string, Partition][] = [];
    let throttleRate = Infinity;
    // The earliest moment a partition left out of this request (paused) may be asked again: the
    // request must not stay parked at the leader past it. An idle partition in the same request
    // would otherwise hold it for the whole max wait, and the left-out one with it: a throttled
    // copy ran at 55-70 % of its rate that way (test/fault/reassignment.test.ts), and a partition
    // paused 25 ms for an epoch race waited 500.
    let resumeAtMs = Infinity;
    for (const [key, p] of this.partitions) {
      if (p.closed || p.role !== 'follower' || p.leaderId !== this.leaderId) continue;
      if (p.currentState.leaderBrokerEpoch !== leaderIncarnation) continue;
      const pausedUntil = this.pausedUntil.get(key) ?? 0;
      if (pausedUntil > now) {
        resumeAtMs = Math.min(resumeAtMs, pausedUntil);
        continue;
      }
      const rate = this.settings.throttle ? addingThrottle(p.currentState, this.settings.brokerId) : undefined;
      if (rate !== undefined) {
        throttledPartitions.push([key, p]);
        throttleRate = Math.min(throttleRate, rate);
        continue;
      }
      session.want(key, p.topic, p.partition, p.logEndOffset, p.latestEpoch, p.leaderEpoch, 0);
    }
    if (throttledPartitions.length > 0 && this.settings.throttle) {
      // The throttled replicas share what the bucket holds (each asks for at least a byte: the
      // leader still sends it one whole batch), and apply() settles each reservation with what
      // actually came. With nothing in the bucket they wait until it holds a byte again.
      const allowed = this.settings.throttle.allowance(throttleRate);
      if (allowed.bytes === 0) {
        for (const [key] of throttledPartitions) this.pausedUntil.set(key, allowed.retryAtMs);
        resumeAtMs = Math.min(resumeAtMs, allowed.retryAtMs);
      } else {
        const share = Math.max(1, Math.floor(allowed.bytes / throttledPartitions.length));
        for (const [key, p] of throttledPartitions) {
          session.want(key, p.topic, p.partition, p.logEndOffset, p.latestEpoch, p.leaderEpoch, share);
          this.settings.throttle.reserve(share);
          throttled.set(key, share);
        }
      }
    }
    // Nothing to ask: no request, and the leader keeps what it holds until the next one says otherwise.
    if (session.wantedCount === 0) return undefined;
    return {
      message: {
        followerId: this.settings.brokerId,
        ...session.end(),
        maxBytes: this.settings.maxBytes,
        // At least 1: the leader reads 0 as "its default".
        maxWaitMs: Math.max(1, Math.min(this.settings.maxWaitMs, Math.ceil(resumeAtMs - now))),
        followerBrokerEpoch: ownIncarnation,
        leaderBrokerEpoch: leaderIncarnation,
      },
      session,
      throttled,
    };
  }

  private openStream(): Stream {
    if (this.stream && !this.stream.broken) return this.stream;
    const address = this.settings.addressOf(this.leaderId);
    if (!address) throw new Error(`leader broker ${this.leaderId} is not registered`);
    if (!this.client || this.clientAddress !== address) {
      this.client?.close();
      this.client = replicationClient(address, this.settings.limits);
      this.clientAddress = address;
    }
    const call = this.client.Replicate();
    this.stream = new LockstepStream(call);
    return this.stream;
  }

  /** Closes the channel to the leader, so the next stream opens a new connection. */
  private dropChannel(): void {
    this.client?.close();
    this.client = undefined;
    this.clientAddress = undefined;
  }

  private async apply(
    response: v1.ReplicaFetchResponse__Output,
    session: FollowerSession,
    throttled: ReadonlyMap<string, number>,
  ): Promise<void> {
    for (const [key, reserved] of throttled) {
      const data = response.partitions.find((d) => keyOf(d.topic, d.partition) === key);
      this.settings.throttle?.settle(reserved, data?.batches.length ?? 0);
    }
    for (const data of response.partitions) {
      const key = keyOf(data.topic, data.partition);
      const p = this.partitions.get(key);
      // The position the leader answered about: the one it holds for this stream.
      const position = session.position(key);
      // The partition moved (new epoch, new leader, closed) while the request was out: its next
      // request will carry the new state, this answer is about the old one.
      if (!p || position === undefined || p.closed || p.leaderEpoch !== position.currentLeaderEpoch || p.leaderId !== this.leaderId)
        continue;
      const epoch = position.currentLeaderEpoch;
      // The log moved under the request: right after a leader change, the previous leader's
      // stream may still have been appending when this request went out with the old end. The
      // answer (data, divergence, range) is about a position the log no longer has; the next
      // request, at once, carries the real one, and the leader's epoch check settles what the
      // late append left (KIP-101). Applying it instead failed the append and set the partition
      // aside for REFUSED_PAUSE_MS, while every acks=all write on the new leader waited for it.
      if (p.logEndOffset !== position.fetchOffset) {
        this.settings.logger.debug(
          { partition: key, leader: this.leaderId, askedAt: position.fetchOffset, logEndOffset: p.logEndOffset },
          'log moved while the fetch was out; asking again',
        );
        continue;
      }
      try {
        const outcome = await applyPartitionData(p, data, epoch, this.leaderId, this.settings.logger);
        if (outcome.kind === 'refused') {
          // FENCED: our metadata is behind (the watch will bring the new epoch); NOT_LEADER: the
          // leader has not seen it yet. Either way, ask again shortly.
          this.settings.logger.debug(
            { partition: key, leader: this.leaderId, reason: outcome.reason, message: outcome.message },
            'leader refused a partition',
          );
          const race = outcome.reason === 'FENCED' || outcome.reason === 'NOT_LEADER_OR_FOLLOWER';
          this.pausedUntil.set(key, this.clock.nowMs() + (race ? EPOCH_RACE_PAUSE_MS : REFUSED_PAUSE_MS));
        }
      } catch (err) {
        const e = toSamsaError(err);
        // Same race, the other way round: the late append landed while this answer was being
        // applied (both wait in the log's one queue). Not a refusal: ask again at once.
        if (p.logEndOffset !== position.fetchOffset && e.reason === 'OFFSET_OUT_OF_RANGE') continue;
        if (e.reason !== 'FENCED')
          this.settings.logger.warn({ err: e, partition: key, leader: this.leaderId }, 'applying replicated data failed; retrying shortly');
        this.pausedUntil.set(key, this.clock.nowMs() + REFUSED_PAUSE_MS);
      }
    }
  }

  private nextPauseEnd(): number {
    let earliest = this.clock.nowMs() + 1000;
    for (const until of this.pausedUntil.values()) earliest = Math.min(earliest, until);
    return earliest;
  }

  /** Sleeps until `untilMs`, or until woken by setPartitions/close. */
  private sleep(untilMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, untilMs - this.clock.nowMs()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

export const keyOf = positionKey;

/**
 * The cluster as one Samsa client sees it: where the brokers are, which broker leads each
 * partition, and where the active controller is. Metadata comes from GetMetadata on any broker
 * (the bootstrap list first, then brokers learned from metadata) and is cached per topic; callers
 * invalidate a topic when a broker says the cached view is wrong (NOT_LEADER_OR_FOLLOWER, an
 * unknown partition) or does not answer, and the next lookup refreshes it. Concurrent lookups
 * share one request. Metadata is asked of brokers that answered before brokers that did not: a
 * paused broker (SIGSTOP: its connections stay open, nothing answers) would otherwise cost every
 * refresh a whole request timeout before the next broker is asked.
 *
 * The Cluster owns the ClientPool (libs/rpc: one channel per address, shared by every producer,
 * consumer and admin of one Samsa client) and closes it; producers, consumers and admins borrow it.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import { callUnary, ClientPool, type v1 } from '../../rpc/index.js';
import { retry, systemClock, type RetryOptions } from '../../runtime/index.js';
import { callError, unansweredAddress } from '../errors.js';
import { toClusterMetadata, type BrokerNode, type ClusterMetadata, type TopicMetadata } from './metadata.js';

export interface ClusterOptions {
  /** host:port of one or more brokers, e.g. ['127.0.0.1:9092']. */
  bootstrap: string[];
  /** Deadline of each unary request, in ms. */
  requestTimeoutMs: number;
  /** Cached topic metadata older than this is refreshed on the next lookup, in ms. */
  metadataMaxAgeMs: number;
  retry: RetryOptions;
  /** Credentials of every channel; undefined: the process's default transport (libs/rpc). */
  credentials?: grpc.ChannelCredentials;
}

interface CachedTopic {
  topic: TopicMetadata;
  fetchedAtMs: number;
}

export class Cluster {
  readonly pool: ClientPool;
  private readonly topics = new Map<string, CachedTopic>();
  private brokers: BrokerNode[] = [];
  private controller: BrokerNode | undefined;
  private clusterId = '';
  /** One metadata request at a time per key ('' = all topics); concurrent callers await it. */
  private readonly inflight = new Map<string, Promise<ClusterMetadata>>();
  /** Brokers whose last call was not answered (unreachable, timed out); asked for metadata last. */
  private readonly unanswered = new Set<string>();

  constructor(readonly options: ClusterOptions) {
    if (options.bootstrap.length === 0) throw new SamsaError('INVALID_REQUEST', 'bootstrap needs at least one host:port');
    this.pool = new ClientPool({
      ...(options.credentials ? { credentials: options.credentials } : {}),
      closedError: () => new Error('the Samsa client is closed'),
    });
  }

  /**
   * Fresh metadata for `topics` (all topics when empty), asked of the first broker that answers.
   * One pass over the known brokers, no retry of its own: every caller runs inside an operation's
   * retry loop (retries do not nest), or uses {@link withRetry}.
   */
  fetchMetadata(topics: string[] = []): Promise<ClusterMetadata> {
    const key = [...topics].sort().join('\0');
    const running = this.inflight.get(key);
    if (running) return running;
    const request = this.askAnyBroker(topics).finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  /**
   * Metadata of one topic, from the cache when fresh. Throws UNKNOWN_TOPIC_OR_PARTITION (not
   * retriable) when the cluster does not have it.
   */
  async topic(name: string): Promise<TopicMetadata> {
    const cached = this.topics.get(name);
    if (cached && systemClock.nowMs() - cached.fetchedAtMs < this.options.metadataMaxAgeMs) return cached.topic;
    const md = await this.fetchMetadata([name]);
    const topic = md.topics.find((t) => t.name === name);
    if (!topic) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
    return topic;
  }

  /** `operation` through the retry helper with this client's retry options. */
  withRetry<T>(operation: () => Promise<T>): Promise<T> {
    return retry(operation, this.options.retry);
  }

  /**
   * Forget what is cached about `name`, so the next lookup asks the cluster. `cause`, the error
   * that showed it stale: when a broker did not answer, it is asked for metadata last until it does.
   */
  invalidate(name: string, cause?: unknown): void {
    this.topics.delete(name);
    const address = unansweredAddress(cause);
    if (address !== undefined) this.unanswered.add(address);
  }

  /**
   * The address of the broker that leads `partition` of `topic`. Throws LEADER_NOT_AVAILABLE
   * (retriable) while it has none, and UNKNOWN_TOPIC_OR_PARTITION for a partition out of range (after
   * one refresh of the topic's metadata: it may have grown since it was cached).
   */
  async leaderAddress(topic: string, partition: number): Promise<string> {
    let md = await this.topic(topic);
    if (md.partitions[partition] === undefined && Number.isInteger(partition) && partition >= 0) {
      // Partitions may have been added since the topic was cached: ask once more before refusing.
      this.invalidate(topic);
      md = await this.topic(topic);
    }
    const p = md.partitions[partition];
    if (!p || p.partition !== partition) {
      throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" has no partition ${partition} (it has ${md.partitions.length})`);
    }
    const leader = this.brokers.find((b) => b.id === p.leaderId);
    if (!leader) {
      this.invalidate(topic);
      throw new SamsaError('LEADER_NOT_AVAILABLE', `partition ${topic}/${partition} has no live leader right now`);
    }
    return leader.address;
  }

  /** The active controller's address; NOT_CONTROLLER (retriable) while none is elected. */
  async controllerAddress(refresh = false): Promise<string> {
    if (refresh || !this.controller) await this.fetchMetadata();
    if (!this.controller) throw new SamsaError('NOT_CONTROLLER', 'no active controller right now (an election may be under way)');
    return this.controller.address;
  }

  /** Any broker to send a request that any broker can answer: a known live one, else bootstrap. */
  anyBrokerAddress(): string {
    return this.brokers[0]?.address ?? (this.options.bootstrap[0] as string);
  }

  /**
   * A cluster-unique producer id for an idempotent producer, from the first broker that answers
   * (live brokers first, then the bootstrap list).
   */
  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    const candidates = [...new Set([...this.brokers.map((b) => b.address), ...this.options.bootstrap])];
    let last: unknown;
    for (const address of candidates) {
      try {
        const res = await callUnary<v1.InitProducerIdResponse__Output>(
          address,
          { timeoutMs: this.options.requestTimeoutMs, toError: callError },
          (opts, cb) => this.pool.broker(address).initProducerId({}, opts, cb),
        );
        return { producerId: res.producerId, producerEpoch: res.producerEpoch };
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new SamsaError('NOT_READY', 'no broker answered InitProducerId');
  }

  close(): void {
    this.pool.close();
    this.topics.clear();
  }

  private async askAnyBroker(topics: string[]): Promise<ClusterMetadata> {
    // Brokers learned from metadata first (the live set), then the bootstrap list as given; the
    // ones that did not answer last time after all the others.
    const known = [...new Set([...this.brokers.map((b) => b.address), ...this.options.bootstrap])];
    const candidates = [...known.filter((a) => !this.unanswered.has(a)), ...known.filter((a) => this.unanswered.has(a))];
    let last: unknown;
    for (const address of candidates) {
      try {
        const res = await callUnary<v1.GetMetadataResponse__Output>(
          address,
          { timeoutMs: this.options.requestTimeoutMs, toError: callError },
          (opts, cb) => this.pool.broker(address).getMetadata({ topics }, opts, cb),
        );
        this.unanswered.delete(address);
        const md = toClusterMetadata(res);
        this.absorb(md, topics.length === 0);
        for (const t of topics) if (!md.topics.some((x) => x.name === t)) this.topics.delete(t);
        return md;
      } catch (err) {
        last = err;
        const silent = unansweredAddress(err);
        if (silent !== undefined) this.unanswered.add(silent);
        // A broker may answer "unknown topic" instead of leaving it out: that is an answer.
        if (err instanceof SamsaError && err.reason === 'UNKNOWN_TOPIC_OR_PARTITION') {
          for (const t of topics) this.topics.delete(t);
          return { clusterId: this.clusterId, controller: this.controller, brokers: this.brokers, topics: [] };
        }
      }
    }
    throw last;
  }

  private absorb(md: ClusterMetadata, allTopics: boolean): void {
    const now = systemClock.nowMs();
    this.clusterId = md.clusterId;
    if (md.brokers.length > 0) this.brokers = md.brokers;
    this.controller = md.controller;
    if (allTopics) this.topics.clear();
    for (const t of md.topics) this.topics.set(t.name, { topic: t, fetchedAtMs: now });
  }
}

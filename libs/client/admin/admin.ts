/**
 * Topic and cluster administration. Requests go to the active controller, found through a broker's
 * metadata; when the controller moves (NOT_CONTROLLER, or it stops answering) the address is looked
 * up again and the request retried through the retry helper.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import { callUnary, type v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { callError } from '../errors.js';
import { toTopicMetadata, type BrokerNode, type TopicMetadata } from '../routing/metadata.js';
import { retry } from '../../runtime/index.js';
import { topicConfigFromEntries } from './topic-config.js';
import {
  bindingFromProto,
  bindingToProto,
  entityToProto,
  filterToProto,
  quotaFromProto,
  quotaToProto,
  type AclBinding,
  type AclFilter,
  type Quota,
  type QuotaEntity,
} from '../../security/index.js';

export interface CreateTopicOptions {
  name: string;
  /** Default 1. */
  partitions?: number;
  /** Default 1. */
  replicationFactor?: number;
  /** Kafka-style names, e.g. { 'retention.ms': '86400000' }. */
  config?: Readonly<Record<string, string>>;
  /** Check the request without creating anything. */
  validateOnly?: boolean;
}

export interface ClusterDescription {
  clusterId: string;
  controller: BrokerNode | undefined;
  brokers: BrokerNode[];
}

/** A leader election's outcome for one partition. */
export interface ElectionResult {
  topic: string;
  partition: number;
  outcome: 'elected' | 'not-needed' | 'not-available';
  /** The leader after the election; -1 when none. */
  leaderId: number;
  /** Why, when not available. */
  message: string;
}

/** A partition move in progress (ListPartitionReassignments). */
export interface PartitionReassignment {
  topic: string;
  partition: number;
  targetReplicas: number[];
  originalReplicas: number[];
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
  isr: number[];
  leaderId: number;
  throttleBytesPerSecond: number;
  startedAtMs: number;
}

/** What one broker holds of one partition (DescribeReplicas). */
export interface ReplicaDescription {
  brokerId: number;
  topic: string;
  partition: number;
  /** Bytes of log segments on the broker's disk. */
  sizeBytes: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  leader: boolean;
}

/** How far one replica a reassignment is adding has copied the leader's log. */
export interface ReplicaCopyProgress {
  brokerId: number;
  /** Bytes it holds / the leader holds; undefined when that broker did not answer or has not opened it yet. */
  copiedBytes: number | undefined;
  leaderBytes: number | undefined;
  logEndOffset: number | undefined;
  leaderLogEndOffset: number | undefined;
  inSync: boolean;
}

/** Partitions of one topic (all of them when `partitions` is empty or absent). */
export interface TopicPartitionsRef {
  topic: string;
  partitions?: number[];
}

const OUTCOMES = {
  ELECTION_OUTCOME_ELECTED: 'elected',
  ELECTION_OUTCOME_NOT_NEEDED: 'not-needed',
  ELECTION_OUTCOME_NOT_AVAILABLE: 'not-available',
} as const;

function toReassignment(r: v1.PartitionReassignment__Output): PartitionReassignment {
  return {
    topic: r.topic,
    partition: r.partition,
    targetReplicas: r.targetReplicas,
    originalReplicas: r.originalReplicas,
    replicas: r.replicas,
    addingReplicas: r.addingReplicas,
    removingReplicas: r.removingReplicas,
    isr: r.isr,
    leaderId: r.leaderId,
    throttleBytesPerSecond: Number(r.throttleBytesPerSecond),
    startedAtMs: Number(r.startedAtMs),
  };
}

export class Admin {
  constructor(private readonly cluster: Cluster) {}

  async createTopic(options: CreateTopicOptions): Promise<TopicMetadata> {
    const request: v1.CreateTopicRequest = {
      name: options.name,
      partitions: options.partitions ?? 1,
      replicationFactor: options.replicationFactor ?? 1,
      config: topicConfigFromEntries(options.config ?? {}),
      validateOnly: options.validateOnly ?? false,
    };
    const res = await this.onController<v1.CreateTopicResponse__Output>((c, opts, cb) => c.createTopic(request, opts, cb));
    this.cluster.invalidate(options.name);
    if (!res.topic) throw new SamsaError('INTERNAL_ERROR', 'CreateTopic answered without the topic');
    return toTopicMetadata(res.topic);
  }

  /**
   * For Samsa's own services (the coordinator): creates internal topic `name` (only
   * "__consumer_offsets") with the configuration the controller fixes for it. createTopic refuses
   * names starting with "__".
   */
  async createInternalTopic(name: string, partitions: number, replicationFactor: number): Promise<TopicMetadata> {
    const res = await this.onController<v1.CreateInternalTopicResponse__Output>((c, opts, cb) =>
      c.createInternalTopic({ name, partitions, replicationFactor }, opts, cb),
    );
    this.cluster.invalidate(name);
    if (!res.topic) throw new SamsaError('INTERNAL_ERROR', 'CreateInternalTopic answered without the topic');
    return toTopicMetadata(res.topic);
  }

  /** Grows `name` to `totalPartitions` partitions (never fewer); returns the topic as it is now. */
  async createPartitions(name: string, totalPartitions: number, options: { validateOnly?: boolean } = {}): Promise<TopicMetadata> {
    const res = await this.onController<v1.CreatePartitionsResponse__Output>((c, opts, cb) =>
      c.createPartitions({ name, totalPartitions, validateOnly: options.validateOnly ?? false }, opts, cb),
    );
    this.cluster.invalidate(name);
    if (!res.topic) throw new SamsaError('INTERNAL_ERROR', 'CreatePartitions answered without the topic');
    return toTopicMetadata(res.topic);
  }

  /** Changes the given settings (Kafka-style names, e.g. { 'retention.ms': '3600000' }); the others stay. */
  async alterTopicConfig(
    name: string,
    config: Readonly<Record<string, string>>,
    options: { validateOnly?: boolean } = {},
  ): Promise<TopicMetadata> {
    const request: v1.AlterTopicConfigRequest = {
      name,
      config: topicConfigFromEntries(config),
      validateOnly: options.validateOnly ?? false,
    };
    const res = await this.onController<v1.AlterTopicConfigResponse__Output>((c, opts, cb) => c.alterTopicConfig(request, opts, cb));
    this.cluster.invalidate(name);
    if (!res.topic) throw new SamsaError('INTERNAL_ERROR', 'AlterTopicConfig answered without the topic');
    return toTopicMetadata(res.topic);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.onController<v1.DeleteTopicResponse__Output>((c, opts, cb) => c.deleteTopic({ name }, opts, cb));
    this.cluster.invalidate(name);
  }

  /** Topic names, sorted. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const res = await this.onController<v1.ListTopicsResponse__Output>((c, opts, cb) =>
      c.listTopics({ includeInternal: options.includeInternal ?? false }, opts, cb),
    );
    return [...res.names].sort();
  }

  /** The named topics (all when `names` is empty), sorted by name. */
  async describeTopics(names: string[] = []): Promise<TopicMetadata[]> {
    const res = await this.onController<v1.DescribeTopicsResponse__Output>((c, opts, cb) => c.describeTopics({ names }, opts, cb));
    return res.topics.map(toTopicMetadata).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Leader elections (Kafka's kafka-leader-election): 'preferred' moves leadership back to each
   * partition's first replica where it is alive and in sync; 'unclean' elects an out-of-sync
   * replica for partitions with no live in-sync one (records may be lost). Every partition when
   * `partitions` is empty.
   */
  async electLeaders(type: 'preferred' | 'unclean', partitions: readonly TopicPartitionsRef[] = []): Promise<ElectionResult[]> {
    const request: v1.ElectLeadersRequest = {
      electionType: type === 'unclean' ? 'ELECTION_TYPE_UNCLEAN' : 'ELECTION_TYPE_PREFERRED',
      partitions: partitions.map((p) => ({ topic: p.topic, partitions: p.partitions ?? [] })),
    };
    const res = await this.onController<v1.ElectLeadersResponse__Output>((c, opts, cb) => c.electLeaders(request, opts, cb));
    for (const p of partitions) this.cluster.invalidate(p.topic);
    return res.results.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      outcome: OUTCOMES[r.outcome],
      leaderId: r.leaderId,
      message: r.message,
    }));
  }

  /**
   * Marks brokers draining (`undrain`: no longer): nothing new is placed on a draining broker
   * (topic creation, partition increases, reassignment targets). Answers every draining broker
   * after the change; with no ids, only lists them. UNKNOWN_BROKER for an id the cluster does not know.
   */
  async drainBrokers(brokerIds: readonly number[], options: { undrain?: boolean; validateOnly?: boolean } = {}): Promise<number[]> {
    const request: v1.DrainBrokersRequest = {
      brokerIds: [...brokerIds],
      undrain: options.undrain ?? false,
      validateOnly: options.validateOnly ?? false,
    };
    const res = await this.onController<v1.DrainBrokersResponse__Output>((c, opts, cb) => c.drainBrokers(request, opts, cb));
    return [...res.drainingBrokerIds];
  }

  /**
   * Starts moving partitions to new replicas (empty `replicas`: cancels the partition's move).
   * Answers once recorded; listPartitionReassignments shows progress. `throttleBytesPerSecond`
   * (0: the controller's default) bounds how fast each receiving broker copies.
   */
  async alterPartitionReassignments(
    reassignments: readonly { topic: string; partition: number; replicas: number[] }[],
    options: { throttleBytesPerSecond?: number; validateOnly?: boolean } = {},
  ): Promise<PartitionReassignment[]> {
    const request: v1.AlterPartitionReassignmentsRequest = {
      reassignments: reassignments.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas })),
      throttleBytesPerSecond: options.throttleBytesPerSecond ?? 0,
      validateOnly: options.validateOnly ?? false,
    };
    const res = await this.onController<v1.AlterPartitionReassignmentsResponse__Output>((c, opts, cb) =>
      c.alterPartitionReassignments(request, opts, cb),
    );
    for (const t of new Set(reassignments.map((r) => r.topic))) this.cluster.invalidate(t);
    return res.reassignments.map(toReassignment);
  }

  /** Partition moves in progress (all, or of the named partitions). */
  async listPartitionReassignments(partitions: readonly TopicPartitionsRef[] = []): Promise<PartitionReassignment[]> {
    const request: v1.ListPartitionReassignmentsRequest = {
      partitions: partitions.map((p) => ({ topic: p.topic, partitions: p.partitions ?? [] })),
    };
    const res = await this.onController<v1.ListPartitionReassignmentsResponse__Output>((c, opts, cb) =>
      c.listPartitionReassignments(request, opts, cb),
    );
    return res.reassignments.map(toReassignment);
  }

  /**
   * What broker `brokerId` holds of the named topics (every partition hosted there when a
   * reference names none): bytes on disk and offsets, leader or follower. Needs DESCRIBE on the
   * cluster. A broker that is not live is UNKNOWN_BROKER naming the live ones.
   */
  async describeReplicas(brokerId: number, topics: readonly TopicPartitionsRef[]): Promise<ReplicaDescription[]> {
    const md = await this.cluster.withRetry(() => this.cluster.fetchMetadata());
    const broker = md.brokers.find((b) => b.id === brokerId);
    if (!broker) {
      throw new SamsaError('UNKNOWN_BROKER', `broker ${brokerId} is not live; live brokers: [${md.brokers.map((b) => b.id).join(', ')}]`);
    }
    const request: v1.DescribeReplicasRequest = { topics: topics.map((t) => ({ topic: t.topic, partitions: t.partitions ?? [] })) };
    const res = await retry(
      () =>
        callUnary<v1.DescribeReplicasResponse__Output>(
          broker.address,
          { timeoutMs: this.cluster.options.requestTimeoutMs, toError: callError },
          (opts, cb) => this.cluster.pool.broker(broker.address).describeReplicas(request, opts, cb),
        ),
      this.cluster.options.retry,
    );
    return res.replicas.map((r) => ({
      brokerId: res.brokerId,
      topic: r.topic,
      partition: r.partition,
      sizeBytes: Number(r.sizeBytes),
      logStartOffset: Number(r.logStartOffset),
      logEndOffset: Number(r.logEndOffset),
      highWatermark: Number(r.highWatermark),
      leader: r.leader,
    }));
  }

  /**
   * For each move, how far each replica it adds has copied the leader's log, in bytes and offsets
   * (DescribeReplicas of the leader and of every adding broker, one call per broker). A broker that
   * does not answer leaves its figures undefined rather than failing the whole report.
   */
  async reassignmentProgress(moves: readonly PartitionReassignment[]): Promise<Map<string, ReplicaCopyProgress[]>> {
    const byBroker = new Map<number, Map<string, Set<number>>>();
    const want = (broker: number, topic: string, partition: number): void => {
      const topics = byBroker.get(broker) ?? new Map<string, Set<number>>();
      topics.set(topic, (topics.get(topic) ?? new Set()).add(partition));
      byBroker.set(broker, topics);
    };
    for (const m of moves) {
      if (m.leaderId >= 0) want(m.leaderId, m.topic, m.partition);
      for (const b of m.addingReplicas) want(b, m.topic, m.partition);
    }
    const held = new Map<string, ReplicaDescription>();
    await Promise.all(
      [...byBroker].map(async ([broker, topics]) => {
        const refs = [...topics].map(([topic, partitions]) => ({ topic, partitions: [...partitions] }));
        const replicas = await this.describeReplicas(broker, refs).catch(() => []);
        for (const r of replicas) held.set(`${broker}/${r.topic}/${r.partition}`, r);
      }),
    );
    const out = new Map<string, ReplicaCopyProgress[]>();
    for (const m of moves) {
      const leader = held.get(`${m.leaderId}/${m.topic}/${m.partition}`);
      out.set(
        `${m.topic}-${m.partition}`,
        m.addingReplicas.map((b) => {
          const mine = held.get(`${b}/${m.topic}/${m.partition}`);
          return {
            brokerId: b,
            copiedBytes: mine?.sizeBytes,
            leaderBytes: leader?.sizeBytes,
            logEndOffset: mine?.logEndOffset,
            leaderLogEndOffset: leader?.logEndOffset,
            inSync: m.isr.includes(b),
          };
        }),
      );
    }
    return out;
  }

  /** Live brokers and the active controller, as a broker sees them. */
  async describeCluster(): Promise<ClusterDescription> {
    const md = await this.cluster.withRetry(() => this.cluster.fetchMetadata());
    return { clusterId: md.clusterId, controller: md.controller, brokers: md.brokers };
  }

  /**
   * Adds ACL bindings (Kafka's model, docs/security.md); adding one that exists is a no-op. Needs
   * ALTER on the cluster. Every service applies them within moments, without a restart.
   */
  async createAcls(acls: readonly AclBinding[]): Promise<void> {
    await this.onController<v1.CreateAclsResponse__Output>((c, opts, cb) => c.createAcls({ acls: acls.map(bindingToProto) }, opts, cb));
  }

  /** The ACL bindings matching `filter` (every one when it is empty). Needs DESCRIBE on the cluster. */
  async describeAcls(filter: AclFilter = {}): Promise<AclBinding[]> {
    const res = await this.onController<v1.DescribeAclsResponse__Output>((c, opts, cb) =>
      c.describeAcls({ filter: filterToProto(filter) }, opts, cb),
    );
    return res.acls.map((b, i) => bindingFromProto(b, `acls[${i}]`));
  }

  /**
   * Deletes the bindings matching any of `filters` and answers those deleted. Streams that only
   * they allowed are ended (PERMISSION_DENIED) by the services. Needs ALTER on the cluster.
   */
  async deleteAcls(filters: readonly AclFilter[]): Promise<AclBinding[]> {
    const res = await this.onController<v1.DeleteAclsResponse__Output>((c, opts, cb) =>
      c.deleteAcls({ filters: filters.map(filterToProto) }, opts, cb),
    );
    return res.deleted.map((b, i) => bindingFromProto(b, `deleted[${i}]`));
  }

  /** Sets quotas (each replaces its entity's limits; 0 = unlimited) and removes those of `remove`. Needs ALTER_CONFIGS on the cluster. */
  async alterQuotas(set: readonly Quota[], remove: readonly QuotaEntity[] = []): Promise<void> {
    await this.onController<v1.AlterQuotasResponse__Output>((c, opts, cb) =>
      c.alterQuotas({ set: set.map(quotaToProto), remove: remove.map(entityToProto) }, opts, cb),
    );
  }

  /** Every quota. Needs DESCRIBE_CONFIGS on the cluster. */
  async describeQuotas(): Promise<Quota[]> {
    const res = await this.onController<v1.DescribeQuotasResponse__Output>((c, opts, cb) => c.describeQuotas({}, opts, cb));
    return res.quotas.map(quotaFromProto);
  }

  private onController<Res>(
    invoke: (
      client: v1.ControllerServiceClient,
      options: grpc.CallOptions,
      callback: (err: grpc.ServiceError | null, res?: Res) => void,
    ) => unknown,
  ): Promise<Res> {
    let refresh = false;
    return retry(
      async () => {
        const address = await this.cluster.controllerAddress(refresh);
        return callUnary<Res>(address, { timeoutMs: this.cluster.options.requestTimeoutMs, toError: callError }, (opts, cb) =>
          invoke(this.cluster.pool.controller(address), opts, cb),
        );
      },
      this.cluster.options.retry,
      {
        onRetry: () => {
          refresh = true;
        },
      },
    );
  }
}

/**
 * Cluster metadata as stored in etcd: the key layout and the JSON value of each key. This file is
 * the contract between the controller (the writer of topics and partition state) and the brokers
 * (which write their own registration, under a lease, and, as a partition's leader, that
 * partition's ISR: isr.ts, docs/adr/0007-isr-changes-by-the-leader.md). Every write of a
 * partition record is a compare-and-swap, so the controller's and the leader's never overwrite
 * each other.
 *
 * Keys, under a per-cluster prefix `/samsa/<clusterId>`:
 *
 *   /brokers/<brokerId>                  BrokerRegistration  under the broker's lease; gone when it dies
 *   /admitted-brokers/<brokerId>         BrokerAdmission     the incarnation (broker epoch) the controller
 *                                                            has moved every partition on for; see below
 *   /offline-replicas/<brokerId>         OfflineReplicas     under the broker's lease: its replicas whose
 *                                                            storage failed (cannot open, disk full, I/O)
 *   /shutting-down/<brokerId>            BrokerShutdown      under the broker's lease: it asked for a
 *                                                            controlled shutdown (leadership moves away first)
 *   /draining-brokers/<brokerId>         BrokerDrain         controller (fenced), no lease: an operator is
 *                                                            emptying the broker; nothing new is placed on it
 * Controller election keys are kept by the etcd3 client's election recipe outside this prefix, at
 * `election/<controllerElection name>/<lease id>` (see election.ts); the active controller then
 * writes:
 *   /controller/epoch                    ControllerEpoch     bumped by each newly elected controller
 *   /topics/<name>                       TopicRecord
 *   /partitions/<name>/<partition>       PartitionState      leader, epoch, replicas, ISR
 *   /producer-ids/next                   decimal             next unreserved producer id (any broker, CAS)
 *
 * Topic names may contain '.', '_' and '-' but never '/', so they are safe as key segments.
 * Partition numbers are decimal without padding. Every write by the controller is a transaction
 * guarded by its election key (fenced.ts): a deposed controller cannot write.
 */

export interface BrokerRegistration {
  id: number;
  /**
   * The incarnation of this broker process (KIP-380's broker epoch): the etcd revision that wrote
   * its registration. Never stored in the value: the cluster view takes it from the key's
   * mod_revision, and the broker from the revision of its own registering transaction, so both
   * sides agree, and every registration (a restart, or a re-registration after a lost lease) gets a
   * larger one. A broker writes its registration once per join and never updates it in place.
   */
  brokerEpoch: number;
  host: string;
  port: number;
  rack: string;
  /** ms since epoch when this incarnation started; a restart changes it. */
  startedAtMs: number;
  /** True when the broker shut down cleanly last time (it may lead at once); see KIP-966 notes. */
  cleanStart: boolean;
}

/**
 * Written by the controller (fenced) once it has handled a broker incarnation: every partition the
 * broker hosts has been moved on as if the previous process had left (out of every ISR, leadership
 * elsewhere or re-published in a new leader epoch for this incarnation). Until the value names its
 * current broker epoch, a broker leads nothing and fetches from no one (KRaft's "fenced broker").
 * Kept in etcd rather than in the controller's memory so that a controller failover does not forget
 * which incarnations it has handled.
 */
export interface BrokerAdmission {
  brokerId: number;
  brokerEpoch: number;
  /** The incarnation's BrokerRegistration.cleanStart, for operators: an unclean one may have lost its unflushed tail. */
  cleanStart: boolean;
  admittedAtMs: number;
}

/**
 * Written by a broker, under its registration lease, while some of its replicas are offline: their
 * log failed to open or an append/read met a storage error (ENOSPC, EIO, EROFS, EMFILE...). The
 * controller treats those replicas as dead (out of the ISR, never leader) until the list drops
 * them; the broker retries them and removes them once they open again. Only honoured while
 * `brokerEpoch` is the broker's registered one.
 */
export interface OfflineReplicas {
  brokerId: number;
  brokerEpoch: number;
  partitions: { topic: string; partition: number; reason: string }[];
}

/**
 * Written by a broker, under its registration lease, when it begins a controlled shutdown (Kafka's
 * controlled.shutdown): the controller moves leadership of its partitions to other in-sync replicas
 * and takes it out of every ISR where another member remains, so no write waits for it once it
 * stops; it is elected nowhere and leaders do not add it back to an ISR meanwhile. Only honoured
 * while `brokerEpoch` is the broker's registered one; it disappears with the registration.
 */
export interface BrokerShutdown {
  brokerId: number;
  brokerEpoch: number;
  requestedAtMs: number;
}

/**
 * Written by the controller when an operator drains a broker (`samsa brokers drain`), deleted by
 * `samsa brokers undrain`. Not under a lease: the state outlives the broker's restarts and the
 * controller's failovers. While it exists, topic creation and partition increases place no replica
 * on the broker and no reassignment may add one to it (a drain in progress is not undone by a topic
 * created meanwhile).
 */
export interface BrokerDrain {
  brokerId: number;
  requestedAtMs: number;
}

export interface ControllerEpoch {
  epoch: number;
  controllerId: string;
  host: string;
  port: number;
}

/** Resolved topic configuration: every field has a value (defaults filled in at creation). */
export interface TopicConfigValues {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  cleanupPolicy: CleanupPolicy;
  minInsyncReplicas: number;
  maxMessageBytes: number;
  uncleanLeaderElection: boolean;
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  compressionType: CompressionType;
}

/** Kafka's cleanup.policy values; "delete,compact" is stored as "compact,delete". */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
/** Kafka's compression.type topic values. */
export type CompressionType = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const DEFAULT_TOPIC_CONFIG: TopicConfigValues = {
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  segmentBytes: 128 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  cleanupPolicy: 'delete',
  minInsyncReplicas: 1,
  maxMessageBytes: 1024 * 1024,
  uncleanLeaderElection: false,
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  compressionType: 'producer',
};

/**
 * A stored topic config with defaults for what it does not say: topics created before a setting
 * existed keep their etcd record as it was (the controller compares records byte for byte).
 */
export function withConfigDefaults(config: Partial<TopicConfigValues>): TopicConfigValues {
  return { ...DEFAULT_TOPIC_CONFIG, ...config };
}

export interface TopicRecord {
  name: string;
  /** Random UUID; a topic deleted and created again under the same name gets a new id. */
  topicId: string;
  partitions: number;
  replicationFactor: number;
  config: TopicConfigValues;
  createdAtMs: number;
}

export interface PartitionState {
  topic: string;
  partition: number;
  /** Broker id of the leader, -1 when none is alive in the ISR. */
  leader: number;
  /** Bumped on every leader change; fences stale leaders (produce, replication). */
  leaderEpoch: number;
  /**
   * The broker epoch (incarnation) of `leader` this state was published for. A broker leads only
   * when it names its own current incarnation, so a restarted process never leads in its previous
   * process's epoch. Absent in records written before broker epochs existed (and with leader -1):
   * the controller then treats the leader as a new incarnation and re-elects.
   */
  leaderBrokerEpoch?: number;
  /** Bumped on every change of this record (leader or ISR); fences stale ISR updates. */
  partitionEpoch: number;
  /** Assigned replicas; the first is the preferred leader. */
  replicas: number[];
  isr: number[];
  /**
   * Eligible leader replicas (KIP-966): members that left the ISR while it was below
   * min.insync.replicas, so they hold every committed record. Absent when empty.
   * See partition-state-machine.ts.
   */
  elr?: number[];
  /**
   * A move of this partition to other brokers in progress (KIP-455; docs/adr/0042): `replicas` is
   * then the target followed by the original replicas not in it. Absent when none.
   */
  reassignment?: ReassignmentState;
}

/**
 * A partition reassignment as the controller records it in the partition state (one etcd key, so
 * a controller failover finds it there and resumes). Replicas in the target but not the original
 * are being added (they copy the log, throttled, and join the ISR); replicas in the original but
 * not the target are removed once every target replica is in the ISR.
 */
export interface ReassignmentState {
  /** The replicas the partition ends with, preferred leader first. */
  target: number[];
  /** The replicas it had when the move began (a cancel goes back to them). */
  original: number[];
  /** Follower fetch throttle of the adding replicas, bytes per second per receiving broker. */
  throttleBytesPerSecond: number;
  startedAtMs: number;
}

export class MetadataKeys {
  constructor(readonly clusterId: string) {}

  get root(): string {
    return `/samsa/${this.clusterId}`;
  }
  get brokersPrefix(): string {
    return `${this.root}/brokers/`;
  }
  broker(id: number): string {
    return `${this.brokersPrefix}${id}`;
  }
  get offlinePrefix(): string {
    return `${this.root}/offline-replicas/`;
  }
  offline(id: number): string {
    return `${this.offlinePrefix}${id}`;
  }
  get shuttingDownPrefix(): string {
    return `${this.root}/shutting-down/`;
  }
  shuttingDown(id: number): string {
    return `${this.shuttingDownPrefix}${id}`;
  }
  get drainingPrefix(): string {
    return `${this.root}/draining-brokers/`;
  }
  draining(id: number): string {
    return `${this.drainingPrefix}${id}`;
  }
  get admittedPrefix(): string {
    return `${this.root}/admitted-brokers/`;
  }
  admitted(id: number): string {
    return `${this.admittedPrefix}${id}`;
  }
  get controllerElection(): string {
    return `${this.root}/controller/election`;
  }
  /** Next unreserved producer id (producer-ids.ts). */
  get producerIdCounter(): string {
    return `${this.root}/producer-ids/next`;
  }
  get controllerEpoch(): string {
    return `${this.root}/controller/epoch`;
  }
  get topicsPrefix(): string {
    return `${this.root}/topics/`;
  }
  topic(name: string): string {
    return `${this.topicsPrefix}${name}`;
  }
  get partitionsPrefix(): string {
    return `${this.root}/partitions/`;
  }
  partitionsOf(topic: string): string {
    return `${this.partitionsPrefix}${topic}/`;
  }
  partition(topic: string, partition: number): string {
    return `${this.partitionsOf(topic)}${partition}`;
  }
  /** Parses a key under partitionsPrefix into topic and partition, or undefined. */
  parsePartitionKey(key: string): { topic: string; partition: number } | undefined {
    if (!key.startsWith(this.partitionsPrefix)) return undefined;
    const rest = key.slice(this.partitionsPrefix.length);
    const slash = rest.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const partition = Number(rest.slice(slash + 1));
    if (!Number.isInteger(partition) || partition < 0) return undefined;
    return { topic: rest.slice(0, slash), partition };
  }
}

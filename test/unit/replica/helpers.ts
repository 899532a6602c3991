/** Shared set-up for replica unit tests: temp dirs, metadata records, an in-memory cluster view. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_TOPIC_CONFIG, type BrokerRegistration, type PartitionState, type TopicRecord } from '../../../libs/cluster/index.js';
import type { ReplicaClusterView } from '../../../libs/replica/index.js';
import type { ClusterChange } from '../../../libs/cluster/index.js';

export const silentLogger = pino({ level: 'silent' });

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `samsa-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function topicRecord(
  name: string,
  partitions: number,
  overrides: Partial<TopicRecord['config']> = {},
  topicId = `${name}-id`,
): TopicRecord {
  return {
    name,
    topicId,
    partitions,
    replicationFactor: 1,
    config: { ...DEFAULT_TOPIC_CONFIG, ...overrides },
    createdAtMs: 0,
  };
}

/** The incarnation (broker epoch) every broker of these tests runs as; partitionState names it for its leader. */
export const TEST_INCARNATION = 7;

export function partitionState(
  topic: string,
  partition: number,
  leader: number,
  isr: number[] = [leader],
  leaderEpoch = 0,
  replicas: number[] = isr,
): PartitionState {
  return {
    topic,
    partition,
    leader,
    leaderEpoch,
    partitionEpoch: 0,
    replicas,
    isr,
    ...(leader >= 0 ? { leaderBrokerEpoch: TEST_INCARNATION } : {}),
  };
}

/** An in-memory ReplicaClusterView; `set*`/`delete*` notify listeners like etcd watch events would. */
export class FakeView implements ReplicaClusterView {
  private readonly topicMap = new Map<string, TopicRecord>();
  private readonly partitionMap = new Map<string, PartitionState>();
  private readonly brokerMap = new Map<number, BrokerRegistration>();
  private readonly listeners = new Set<(c: ClusterChange) => void>();

  topics(): TopicRecord[] {
    return [...this.topicMap.values()];
  }
  topic(name: string): TopicRecord | undefined {
    return this.topicMap.get(name);
  }
  partitions(topic: string): PartitionState[] {
    return [...this.partitionMap.values()].filter((p) => p.topic === topic);
  }
  partition(topic: string, partition: number): PartitionState | undefined {
    return this.partitionMap.get(`${topic}/${partition}`);
  }
  broker(id: number): BrokerRegistration | undefined {
    return this.brokerMap.get(id);
  }
  onChange(listener: (c: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Creates a topic whose partitions are all led by `leader` with ISR [leader]. */
  createTopic(record: TopicRecord, leader: number): void {
    this.topicMap.set(record.name, record);
    // As the controller writes it: partition states first, the topic record last.
    for (let p = 0; p < record.partitions; p++) {
      const state = partitionState(record.name, p, leader);
      this.partitionMap.set(`${record.name}/${p}`, state);
      this.emit({ kind: 'partition', topic: record.name, partition: p, state });
    }
    this.emit({ kind: 'topic', name: record.name, record });
  }
  /** Replaces a topic record (e.g. a config change under the same topic id). */
  setTopic(record: TopicRecord): void {
    this.topicMap.set(record.name, record);
    this.emit({ kind: 'topic', name: record.name, record });
  }
  setPartition(state: PartitionState): void {
    this.partitionMap.set(`${state.topic}/${state.partition}`, state);
    this.emit({ kind: 'partition', topic: state.topic, partition: state.partition, state });
  }
  deleteTopic(name: string): void {
    this.topicMap.delete(name);
    this.emit({ kind: 'topic', name, record: undefined });
    for (const key of [...this.partitionMap.keys()]) {
      if (!key.startsWith(`${name}/`)) continue;
      this.partitionMap.delete(key);
      this.emit({ kind: 'partition', topic: name, partition: Number(key.slice(name.length + 1)), state: undefined });
    }
  }
  setBroker(reg: BrokerRegistration): void {
    this.brokerMap.set(reg.id, reg);
    this.emit({ kind: 'broker', id: reg.id, registration: reg });
  }
  private emit(change: ClusterChange): void {
    for (const l of this.listeners) l(change);
  }
}

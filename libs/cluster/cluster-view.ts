/**
 * A watch-driven, in-memory copy of the cluster metadata in etcd (see metadata.ts for the keys).
 * Brokers use it to learn what they host and where leaders are; the controller uses it to decide.
 *
 * Consistency: start() reads everything under the cluster prefix at one revision, then watches from
 * the next revision, so no change is missed or applied twice. If the watch fails for good (e.g. the
 * revision was compacted away), the view reloads everything and emits the differences.
 * Listeners run synchronously, in etcd revision order, after the view has applied the change.
 */
import type { Etcd3, IKeyValue } from 'etcd3';
import { SamsaError } from '../errors/index.js';
import type { Logger } from '../telemetry/index.js';
import type {
  BrokerAdmission,
  BrokerRegistration,
  BrokerShutdown,
  BrokerDrain,
  ControllerEpoch,
  MetadataKeys,
  OfflineReplicas,
  PartitionState,
  TopicRecord,
} from './metadata.js';
import { PrefixMirror } from './prefix-mirror.js';

export type ClusterChange =
  | { kind: 'broker'; id: number; registration: BrokerRegistration | undefined }
  | { kind: 'admission'; id: number; admission: BrokerAdmission | undefined }
  | { kind: 'offline'; id: number; offline: OfflineReplicas | undefined }
  | { kind: 'shutdown'; id: number; shutdown: BrokerShutdown | undefined }
  | { kind: 'drain'; id: number; drain: BrokerDrain | undefined }
  | { kind: 'topic'; name: string; record: TopicRecord | undefined }
  | { kind: 'partition'; topic: string; partition: number; state: PartitionState | undefined }
  | { kind: 'controller'; epoch: ControllerEpoch | undefined };

interface Snapshot {
  brokers: Map<number, BrokerRegistration>;
  admissions: Map<number, BrokerAdmission>;
  offline: Map<number, OfflineReplicas>;
  shutdowns: Map<number, BrokerShutdown>;
  drains: Map<number, BrokerDrain>;
  topics: Map<string, TopicRecord>;
  partitions: Map<string, Map<number, PartitionState>>;
  controller: ControllerEpoch | undefined;
}

const emptySnapshot = (): Snapshot => ({
  brokers: new Map(),
  admissions: new Map(),
  offline: new Map(),
  shutdowns: new Map(),
  drains: new Map(),
  topics: new Map(),
  partitions: new Map(),
  controller: undefined,
});

/** How long confirmTopic waits for the watch to deliver a write etcd already has. */
const CONFIRM_WAIT_MS = 5_000;

export class ClusterView {
  private data: Snapshot = emptySnapshot();
  private readonly listeners = new Set<(change: ClusterChange) => void>();
  private mirror: PrefixMirror | undefined;
  private revision = '0';
  /** confirmTopic's etcd reads in flight, by topic name: concurrent misses share one read. */
  private readonly confirming = new Map<string, Promise<number | undefined>>();

  private constructor(
    private readonly etcd: Etcd3,
    private readonly keys: MetadataKeys,
    private readonly logger: Logger,
  ) {}

  static async start(etcd: Etcd3, keys: MetadataKeys, logger: Logger): Promise<ClusterView> {
    const view = new ClusterView(etcd, keys, logger);
    view.mirror = await PrefixMirror.start({
      etcd,
      prefix: keys.root + '/',
      logger,
      what: 'the cluster metadata',
      handlers: { snapshot: (kvs, revision) => view.onSnapshot(kvs, revision), change: (kv, deleted) => view.onEvent(kv, deleted) },
    });
    return view;
  }

  brokers(): BrokerRegistration[] {
    return [...this.data.brokers.values()].sort((a, b) => a.id - b.id);
  }
  broker(id: number): BrokerRegistration | undefined {
    return this.data.brokers.get(id);
  }
  /** The incarnation the controller last admitted for broker `id` (see BrokerAdmission), if any. */
  admission(id: number): BrokerAdmission | undefined {
    return this.data.admissions.get(id);
  }
  /**
   * True when broker `id` reports its replica of topic/partition offline (storage failed), for
   * its current incarnation.
   */
  isReplicaOffline(id: number, topic: string, partition: number): boolean {
    const o = this.data.offline.get(id);
    if (!o || o.brokerEpoch !== this.data.brokers.get(id)?.brokerEpoch) return false;
    return o.partitions.some((p) => p.topic === topic && p.partition === partition);
  }
  /** True when broker `id`'s current incarnation has begun a controlled shutdown (BrokerShutdown). */
  isShuttingDown(id: number): boolean {
    const s = this.data.shutdowns.get(id);
    return s !== undefined && s.brokerEpoch === this.data.brokers.get(id)?.brokerEpoch;
  }
  /** True while an operator drains broker `id` (BrokerDrain): nothing new is placed on it. */
  isDraining(id: number): boolean {
    return this.data.drains.has(id);
  }
  /** The brokers being drained, by id. */
  drainingBrokers(): number[] {
    return [...this.data.drains.keys()].sort((a, b) => a - b);
  }
  /**
   * True when broker `id` is registered and the controller has admitted its current incarnation:
   * only then may it lead or be elected, and only then does it fetch as a follower.
   */
  isAdmitted(id: number): boolean {
    const b = this.data.brokers.get(id);
    return b !== undefined && this.data.admissions.get(id)?.brokerEpoch === b.brokerEpoch;
  }
  topics(): TopicRecord[] {
    return [...this.data.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
  topic(name: string): TopicRecord | undefined {
    return this.data.topics.get(name);
  }
  /** The partitions of `topic` in partition order; empty for an unknown topic. */
  partitions(topic: string): PartitionState[] {
    return [...(this.data.partitions.get(topic)?.values() ?? [])].sort((a, b) => a.partition - b.partition);
  }
  partition(topic: string, partition: number): PartitionState | undefined {
    return this.data.partitions.get(topic)?.get(partition);
  }
  controller(): ControllerEpoch | undefined {
    return this.data.controller;
  }
  /** The etcd revision the view reflects. */
  get currentRevision(): string {
    return this.revision;
  }

  /**
   * The topic, for a caller about to answer "no such topic" (or "no such partition") from this
   * view. The view follows etcd through a watch and can trail a write a client has already seen
   * acknowledged: a topic created or grown a moment ago, asked of a broker whose watch has not
   * delivered it yet. So a miss is checked against etcd: when etcd has the topic's record, this
   * waits (at most `timeoutMs`) until the view has applied that write and returns the topic as the
   * view then has it; undefined when etcd has no such topic either. Costs one etcd read per miss
   * (concurrent misses of one name share it), nothing when the view has what was asked.
   */
  async confirmTopic(name: string, partition = 0, timeoutMs = CONFIRM_WAIT_MS): Promise<TopicRecord | undefined> {
    const known = this.topic(name);
    if (known && partition < known.partitions) return known;
    let reading = this.confirming.get(name);
    if (!reading) {
      reading = this.etcd
        .get(this.keys.topic(name))
        .exec()
        .then((res) => (res.kvs[0] ? Number(res.kvs[0].mod_revision) : undefined))
        .finally(() => this.confirming.delete(name));
      this.confirming.set(name, reading);
    }
    const written = await reading;
    if (written === undefined) return undefined;
    try {
      await this.waitFor(() => Number(this.revision) >= written, timeoutMs);
    } catch {
      throw new SamsaError(
        'NOT_READY',
        `this server's copy of the cluster metadata has not caught up with etcd yet (topic "${name}" was written at revision ${written}, the copy is at ${this.revision}); retry`,
      );
    }
    return this.topic(name);
  }

  /** Registers a listener; returns the function that removes it. */
  onChange(listener: (change: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once `predicate` holds (checked now and after every change); rejects after timeoutMs. */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // The predicate is asked once per burst of changes, not once per change: a created topic's
      // P partitions arrive as P events at once, and a predicate that walks the partitions would
      // make that P x P work on one event loop turn.
      let check: NodeJS.Immediate | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (check) clearImmediate(check);
        off();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`cluster metadata did not reach the expected state within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onChange(() => {
        check ??= setImmediate(() => {
          check = undefined;
          if (!predicate()) return;
          done();
          resolve();
        });
      });
    });
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.mirror?.close();
  }

  /** Everything at one revision (start, and every reload after a failed watch): emits the differences from what we had. */
  private onSnapshot(kvs: readonly IKeyValue[], revision: string): void {
    const next = emptySnapshot();
    for (const kv of kvs) this.applyTo(next, kv.key.toString(), kv.value.toString(), kv.mod_revision);
    const previous = this.data;
    this.data = next;
    this.revision = revision;
    this.emitDiff(previous, next);
  }

  private onEvent(kv: IKeyValue, deleted: boolean): void {
    this.revision = kv.mod_revision;
    const key = kv.key.toString();
    const change = this.applyTo(this.data, key, deleted ? undefined : kv.value.toString(), kv.mod_revision);
    if (change) this.emit(change);
  }

  /**
   * Applies one key's new value (undefined = deleted) to `snap`; returns the change, if the key is
   * ours. `modRevision` is the revision that wrote the key: a broker registration's broker epoch.
   */
  private applyTo(snap: Snapshot, key: string, raw: string | undefined, modRevision: string): ClusterChange | undefined {
    const parse = <T>(): T | undefined => {
      if (raw === undefined) return undefined;
      try {
        return JSON.parse(raw) as T;
      } catch {
        this.logger.error({ key }, 'unparseable metadata value in etcd; ignoring it');
        return undefined;
      }
    };
    // Per-broker keys are `<prefix><brokerId>`; a key under one of these prefixes without an integer id is ignored.
    const brokerIdAfter = (prefix: string): number | undefined => {
      const id = Number(key.slice(prefix.length));
      return Number.isInteger(id) ? id : undefined;
    };
    const setOrDelete = <V>(map: Map<number, V>, id: number, value: V | undefined): V | undefined => {
      if (value) map.set(id, value);
      else map.delete(id);
      return value;
    };
    if (key.startsWith(this.keys.brokersPrefix)) {
      const id = brokerIdAfter(this.keys.brokersPrefix);
      if (id === undefined) return undefined;
      const stored = parse<BrokerRegistration>();
      const registration = setOrDelete(snap.brokers, id, stored ? { ...stored, brokerEpoch: Number(modRevision) } : undefined);
      return { kind: 'broker', id, registration };
    }
    if (key.startsWith(this.keys.admittedPrefix)) {
      const id = brokerIdAfter(this.keys.admittedPrefix);
      if (id === undefined) return undefined;
      return { kind: 'admission', id, admission: setOrDelete(snap.admissions, id, parse<BrokerAdmission>()) };
    }
    if (key.startsWith(this.keys.offlinePrefix)) {
      const id = brokerIdAfter(this.keys.offlinePrefix);
      if (id === undefined) return undefined;
      return { kind: 'offline', id, offline: setOrDelete(snap.offline, id, parse<OfflineReplicas>()) };
    }
    if (key.startsWith(this.keys.shuttingDownPrefix)) {
      const id = brokerIdAfter(this.keys.shuttingDownPrefix);
      if (id === undefined) return undefined;
      return { kind: 'shutdown', id, shutdown: setOrDelete(snap.shutdowns, id, parse<BrokerShutdown>()) };
    }
    if (key.startsWith(this.keys.drainingPrefix)) {
      const id = brokerIdAfter(this.keys.drainingPrefix);
      if (id === undefined) return undefined;
      return { kind: 'drain', id, drain: setOrDelete(snap.drains, id, parse<BrokerDrain>()) };
    }
    if (key === this.keys.controllerEpoch) {
      snap.controller = parse<ControllerEpoch>();
      return { kind: 'controller', epoch: snap.controller };
    }
    if (key.startsWith(this.keys.topicsPrefix)) {
      const name = key.slice(this.keys.topicsPrefix.length);
      const record = parse<TopicRecord>();
      if (record) snap.topics.set(name, record);
      else snap.topics.delete(name);
      return { kind: 'topic', name, record };
    }
    const p = this.keys.parsePartitionKey(key);
    if (p) {
      const state = parse<PartitionState>();
      let byPartition = snap.partitions.get(p.topic);
      if (state) {
        if (!byPartition) snap.partitions.set(p.topic, (byPartition = new Map()));
        byPartition.set(p.partition, state);
      } else if (byPartition) {
        byPartition.delete(p.partition);
        if (byPartition.size === 0) snap.partitions.delete(p.topic);
      }
      return { kind: 'partition', topic: p.topic, partition: p.partition, state };
    }
    return undefined;
  }

  private emitDiff(before: Snapshot, after: Snapshot): void {
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const id of new Set([...before.brokers.keys(), ...after.brokers.keys()])) {
      if (!same(before.brokers.get(id), after.brokers.get(id))) this.emit({ kind: 'broker', id, registration: after.brokers.get(id) });
    }
    for (const id of new Set([...before.offline.keys(), ...after.offline.keys()])) {
      if (!same(before.offline.get(id), after.offline.get(id))) this.emit({ kind: 'offline', id, offline: after.offline.get(id) });
    }
    for (const id of new Set([...before.shutdowns.keys(), ...after.shutdowns.keys()])) {
      if (!same(before.shutdowns.get(id), after.shutdowns.get(id))) this.emit({ kind: 'shutdown', id, shutdown: after.shutdowns.get(id) });
    }
    for (const id of new Set([...before.drains.keys(), ...after.drains.keys()])) {
      if (!same(before.drains.get(id), after.drains.get(id))) this.emit({ kind: 'drain', id, drain: after.drains.get(id) });
    }
    for (const id of new Set([...before.admissions.keys(), ...after.admissions.keys()])) {
      if (!same(before.admissions.get(id), after.admissions.get(id)))
        this.emit({ kind: 'admission', id, admission: after.admissions.get(id) });
    }
    for (const name of new Set([...before.topics.keys(), ...after.topics.keys()])) {
      if (!same(before.topics.get(name), after.topics.get(name))) this.emit({ kind: 'topic', name, record: after.topics.get(name) });
    }
    for (const topic of new Set([...before.partitions.keys(), ...after.partitions.keys()])) {
      const b = before.partitions.get(topic) ?? new Map<number, PartitionState>();
      const a = after.partitions.get(topic) ?? new Map<number, PartitionState>();
      for (const partition of new Set([...b.keys(), ...a.keys()])) {
        if (!same(b.get(partition), a.get(partition))) this.emit({ kind: 'partition', topic, partition, state: a.get(partition) });
      }
    }
    if (!same(before.controller, after.controller)) this.emit({ kind: 'controller', epoch: after.controller });
  }

  private emit(change: ClusterChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (err) {
        this.logger.error({ err, change: change.kind }, 'cluster view listener threw; this is a bug');
      }
    }
  }
}

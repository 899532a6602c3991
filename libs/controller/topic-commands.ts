/**
 * The controller's topic commands as fenced etcd writes: create a topic, add partitions, change its
 * config, delete it, and bring an internal topic to the current storage config. topic-plans.ts
 * decides what to write; this file writes it (every write through commitIfLeader with the term's
 * fence, compared with the record it was decided from) and waits for the view to show it, so the
 * next command sees it. Not concurrent: the active controller runs these one at a time on its
 * admin queue (active-controller.ts).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../errors/index.js';
import {
  commitIfLeader,
  GuardFailedError,
  type ClusterView,
  type Fence,
  type MetadataKeys,
  type Op,
  type PartitionState,
  type TopicRecord,
} from '../cluster/index.js';
import { OFFSETS_TOPIC } from '../group/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Clock } from '../runtime/index.js';
import type { AlterTopicConfigCommand, CreatePartitionsCommand, CreateTopicCommand, TopicOutcome } from './commands.js';
import { admittedBrokers, brokerFacts } from './leadership.js';
import { planInternalTopicMigration } from './internal-topics.js';
import {
  checkMorePartitions,
  checkNewTopic,
  planConfigChange,
  planDeletion,
  planMorePartitions,
  planNewTopic,
  type Placement,
} from './topic-plans.js';

/** etcd refuses transactions with more than 128 operations (or compares) by default (--max-txn-ops): with the fence, 101. */
export const MAX_OPS_PER_TXN = 100;
/** How long topic placement waits for just-registered brokers to be admitted. */
const ADMISSION_WAIT_MS = 3_000;
/** How long a write waits to show up in our own view before we answer. */
export const VIEW_CATCH_UP_MS = 10_000;

export interface TopicCommandsDeps {
  etcd: Etcd3;
  keys: MetadataKeys;
  view: ClusterView;
  fence: Fence;
  logger: Logger;
  clock: Clock;
  maxReplicasPerBroker: number;
  /** True once the controller's term ended. */
  stopped(): boolean;
}

export class TopicCommands {
  constructor(private readonly d: TopicCommandsDeps) {}

  async create(cmd: CreateTopicCommand): Promise<TopicOutcome> {
    checkNewTopic(cmd, this.d.view.topic(cmd.name));
    const placement = await this.placement();
    const plan = planNewTopic(cmd, this.d.view.topic(cmd.name), placement, cmd.validateOnly ? '' : randomUUID(), this.d.clock.nowMs());
    if (cmd.validateOnly) return plan;
    const { record, partitions } = plan;
    const notYetCreated = { key: this.d.keys.topic(cmd.name), target: 'Create' as const, cmp: '==' as const, value: 0 };
    // Partitions first, the topic record last: brokers act on a partition only once its topic
    // exists, so a controller that dies half-way leaves nothing served; a retry overwrites.
    // A half-done create may also have left partitions this one does not have (it asked for
    // more): clear them first, or they would survive under the new topic record.
    try {
      await commitIfLeader(this.d.etcd, this.d.fence, [notYetCreated], [{ deletePrefix: this.d.keys.partitionsOf(cmd.name) }]);
      await this.putPartitions(partitions, notYetCreated);
      await commitIfLeader(
        this.d.etcd,
        this.d.fence,
        [notYetCreated],
        [{ put: this.d.keys.topic(cmd.name), value: JSON.stringify(record) }],
      );
    } catch (err) {
      if (err instanceof GuardFailedError) throw new SamsaError('TOPIC_ALREADY_EXISTS', `topic "${cmd.name}" already exists`);
      throw err;
    }
    this.d.logger.info(
      { topic: cmd.name, partitions: record.partitions, replicationFactor: record.replicationFactor, topicId: record.topicId },
      'created topic',
    );
    await this.d.view.waitFor(
      () => this.d.view.topic(cmd.name)?.topicId === record.topicId && this.d.view.partitions(cmd.name).length === record.partitions,
      VIEW_CATCH_UP_MS,
    );
    return { record, partitions: this.d.view.partitions(cmd.name) };
  }

  async createPartitions(cmd: CreatePartitionsCommand): Promise<TopicOutcome> {
    checkMorePartitions(cmd, this.d.view.topic(cmd.name));
    const placement = await this.placement();
    const current = this.d.view.topic(cmd.name);
    const plan = planMorePartitions(cmd, current, placement);
    if (cmd.validateOnly || !current) return { record: current ?? plan.record, partitions: this.d.view.partitions(cmd.name) };
    // The record must be the one we read: a concurrent change (delete, re-create) makes us fail cleanly.
    const unchanged = { key: this.d.keys.topic(cmd.name), target: 'Value' as const, cmp: '==' as const, value: JSON.stringify(current) };
    try {
      await this.putPartitions(plan.partitions, unchanged);
      // The count last: clients see the new partitions only once they all exist.
      await commitIfLeader(
        this.d.etcd,
        this.d.fence,
        [unchanged],
        [{ put: this.d.keys.topic(cmd.name), value: JSON.stringify(plan.record) }],
      );
    } catch (err) {
      if (err instanceof GuardFailedError)
        throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${cmd.name}" changed while adding partitions; try again`);
      throw err;
    }
    const total = plan.record.partitions;
    this.d.logger.info({ topic: cmd.name, from: current.partitions, to: total }, 'added partitions');
    await this.d.view.waitFor(
      () => this.d.view.topic(cmd.name)?.partitions === total && this.d.view.partitions(cmd.name).length === total,
      VIEW_CATCH_UP_MS,
    );
    return this.outcome(cmd.name) ?? { record: plan.record, partitions: this.d.view.partitions(cmd.name) };
  }

  async alterConfig(cmd: AlterTopicConfigCommand): Promise<TopicOutcome> {
    const current = this.d.view.topic(cmd.name);
    const next = planConfigChange(cmd, current);
    if (cmd.validateOnly || !current) return { record: next, partitions: this.d.view.partitions(cmd.name) };
    await this.replaceTopicRecord(current, next);
    this.d.logger.info({ topic: cmd.name, changes: cmd.changes }, 'altered topic config');
    return { record: next, partitions: this.d.view.partitions(cmd.name) };
  }

  /** Writes `next` over `current` if the record is still `current`, and waits for the view to show it. */
  private async replaceTopicRecord(current: TopicRecord, next: TopicRecord): Promise<void> {
    try {
      await commitIfLeader(
        this.d.etcd,
        this.d.fence,
        [{ key: this.d.keys.topic(current.name), target: 'Value', cmp: '==', value: JSON.stringify(current) }],
        [{ put: this.d.keys.topic(current.name), value: JSON.stringify(next) }],
      );
    } catch (err) {
      if (err instanceof GuardFailedError)
        throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${current.name}" changed meanwhile; try again`);
      throw err;
    }
    await this.d.view.waitFor(
      () => JSON.stringify(this.d.view.topic(current.name)?.config) === JSON.stringify(next.config),
      VIEW_CATCH_UP_MS,
    );
  }

  /**
   * Brings an internal topic created by an older version to today's storage config (segment size,
   * compaction: planInternalTopicMigration), once per term; a failure is logged and tried again by
   * the next controller term.
   */
  async migrateInternalTopics(): Promise<void> {
    const current = this.d.view.topic(OFFSETS_TOPIC);
    const next = planInternalTopicMigration(current);
    if (!current || !next || this.d.stopped()) return;
    await this.replaceTopicRecord(current, next);
    this.d.logger.info(
      { topic: OFFSETS_TOPIC, from: current.config, to: next.config },
      'brought an internal topic to the current storage config (docs/adr/0029)',
    );
  }

  async delete(name: string): Promise<void> {
    const record = planDeletion(name, this.d.view.topic(name));
    await commitIfLeader(
      this.d.etcd,
      this.d.fence,
      [],
      [{ delete: this.d.keys.topic(name) }, { deletePrefix: this.d.keys.partitionsOf(name) }],
    );
    this.d.logger.info({ topic: name, topicId: record.topicId }, 'deleted topic');
    await this.d.view.waitFor(() => this.d.view.topic(name)?.topicId !== record.topicId, VIEW_CATCH_UP_MS);
  }

  /** Writes partition states in transactions of at most MAX_OPS_PER_TXN, each guarded by `guard`. */
  private async putPartitions(states: readonly PartitionState[], guard: Parameters<typeof commitIfLeader>[2][number]): Promise<void> {
    for (let i = 0; i < states.length; i += MAX_OPS_PER_TXN) {
      const ops: Op[] = states
        .slice(i, i + MAX_OPS_PER_TXN)
        .map((s) => ({ put: this.d.keys.partition(s.topic, s.partition), value: JSON.stringify(s) }));
      await commitIfLeader(this.d.etcd, this.d.fence, [guard], ops);
    }
  }

  private outcome(name: string): TopicOutcome | undefined {
    const record = this.d.view.topic(name);
    return record ? { record, partitions: this.d.view.partitions(name) } : undefined;
  }

  /**
   * For placement: the admitted brokers, after giving a broker that has just registered the
   * moment its admission takes (one reconcile pass), so a topic created right after a broker
   * starts is spread over it too.
   */
  private async placement(): Promise<Placement> {
    await this.d.view
      .waitFor(() => this.d.view.brokers().every((b) => this.d.view.isAdmitted(b.id)), ADMISSION_WAIT_MS)
      .catch(() => undefined);
    const facts = brokerFacts(this.d.view);
    // A draining broker is being emptied: a topic created meanwhile must not land on it.
    const brokers = admittedBrokers(facts).filter((id) => !this.d.view.isDraining(id));
    return {
      brokers,
      startIndex: brokers.length > 0 ? randomInt(brokers.length) : 0,
      epochOf: facts.epochOf,
      existing: this.d.view,
      maxReplicasPerBroker: this.d.maxReplicasPerBroker,
    };
  }
}

/**
 * CoordinatorService handlers: thin adapters from the proto to the GroupCoordinator
 * (libs/group) and the GroupConsume session. High watermarks (for lag) and reset positions are
 * asked of the partition leaders with ListOffsets. ListGroups asks every live coordinator, so any
 * one answers for the whole cluster.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../libs/errors/index.js';
import { bidiStream, callUnary, ClientPool, requiredString, unary, type v1 } from '../../libs/rpc/index.js';
import type { ClusterView } from '../../libs/cluster/index.js';
import type { Committed, GroupCoordinator, PartitionOwnership, TopicPartition } from '../../libs/group/index.js';
import type { Logger } from '../../libs/telemetry/index.js';
import { groupConsume, groupTopicPartitions, type GroupConsumeDeps } from './group-consume.js';
import { shareConsume, type ShareConsumeDeps } from './share-consume.js';

const FORWARDED = 'samsa-forwarded';

export interface CoordinatorContext extends GroupConsumeDeps, ShareConsumeDeps {
  coordinatorId: number;
  coordinator: GroupCoordinator;
  /** Undefined until the coordinator has registered in etcd. */
  ownership(): PartitionOwnership | undefined;
  view: ClusterView;
  logger: Logger;
}

const ASSIGNOR_ENUM: Record<string, v1.Assignor> = {
  range: 'ASSIGNOR_RANGE',
  roundRobin: 'ASSIGNOR_ROUND_ROBIN',
  sticky: 'ASSIGNOR_STICKY',
};

export class CoordinatorHandlers {
  /** Channels to brokers (ListOffsets) and peer coordinators (ListGroups); closed by close(). */
  private readonly pool = new ClientPool();

  constructor(private readonly ctx: CoordinatorContext) {}

  close(): void {
    this.pool.close();
  }

  handlers(): v1.CoordinatorServiceHandlers {
    const c = this.ctx.coordinator;
    return {
      FindCoordinator: unary(async (req) => {
        // An empty group id asks for any coordinator: this one.
        const groupId = req.groupId;
        const self = this.ctx
          .ownership()
          ?.coordinators()
          .find((reg) => reg.id === this.ctx.coordinatorId);
        const owner = groupId === '' ? self : this.ctx.ownership()?.owner(c.partitionOf(groupId));
        if (!owner)
          throw new SamsaError(
            'NOT_COORDINATOR',
            `no coordinator owns group "${groupId}" right now (a takeover is under way); retry shortly`,
          );
        return { coordinatorId: owner.id, host: owner.host, port: owner.port };
      }),
      GroupConsume: bidiStream((call) => groupConsume(this.ctx, call)),
      ShareConsume: bidiStream((call) => shareConsume(this.ctx, call)),
      CommitOffsets: unary(async (req) => {
        const groupId = requiredString(req.groupId, 'group_id');
        await c.commit(
          groupId,
          req.memberId,
          req.generation,
          req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata })),
        );
        return {};
      }),
      FetchOffsets: unary(async (req) => {
        const groupId = requiredString(req.groupId, 'group_id');
        const tps = req.partitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
        const found = c.fetchOffsets(groupId, tps);
        return { offsets: await this.withLag(found) };
      }),
      ListGroups: unary(async (_req, call) => {
        const mine = c.listGroups();
        if (call.metadata.get(FORWARDED).length > 0)
          return { groups: mine.map((g) => ({ groupId: g.groupId, state: g.state, members: g.members })) };
        const others = await Promise.all(
          (this.ctx.ownership()?.coordinators() ?? [])
            .filter((reg) => reg.id !== this.ctx.coordinatorId)
            .map((reg) => this.askPeer(`${reg.host}:${reg.port}`)),
        );
        const all = new Map<string, v1.GroupSummary>();
        for (const g of [...mine, ...others.flat()]) all.set(g.groupId, { groupId: g.groupId, state: g.state, members: g.members });
        return { groups: [...all.values()].sort((a, b) => ((a.groupId ?? '') < (b.groupId ?? '') ? -1 : 1)) };
      }),
      DescribeGroup: unary(async (req) => {
        const d = c.describe(requiredString(req.groupId, 'group_id'));
        const share = this.ctx.shareGroups.counts(d.groupId);
        return {
          groupId: d.groupId,
          state: d.state,
          generation: d.generation,
          assignor: ASSIGNOR_ENUM[d.assignor] ?? 'ASSIGNOR_UNSPECIFIED',
          members: d.members.map((m) => ({
            memberId: m.memberId,
            ...(m.instanceId !== undefined ? { groupInstanceId: m.instanceId } : {}),
            clientHost: m.clientHost,
            partitions: groupTopicPartitions(m.partitions),
          })),
          offsets: await this.withLag(d.offsets.map((o) => ({ tp: { topic: o.topic, partition: o.partition }, committed: o }))),
          ...(share ? { share } : {}),
        };
      }),
      ResetOffsets: unary(async (req) => {
        const groupId = requiredString(req.groupId, 'group_id');
        const topic = requiredString(req.topic, 'topic');
        const record = this.ctx.view.topic(topic);
        if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" does not exist`);
        const partitions = req.partitions.length > 0 ? req.partitions : Array.from({ length: record.partitions }, (_, p) => p);
        if (!req.to?.spec) throw new SamsaError('INVALID_REQUEST', 'to is required: an offset, earliest/latest, or a timestamp');
        const spec: v1.OffsetSpec = req.to;
        const targets = await Promise.all(
          partitions.map(async (partition) => {
            const listed = await this.listOffsets({ topic, partition }, spec);
            return { topic, partition, offset: listed.offset, metadata: 'reset', highWatermark: listed.highWatermark };
          }),
        );
        if (!req.dryRun) await c.resetOffsets(groupId, targets);
        return {
          offsets: targets.map((t) => ({
            topic,
            partition: t.partition,
            offset: t.offset,
            metadata: t.metadata,
            highWatermark: t.highWatermark,
            lag: Math.max(0, t.highWatermark - t.offset),
          })),
        };
      }),
      DeleteGroup: unary(async (req) => {
        await c.deleteGroup(requiredString(req.groupId, 'group_id'));
        return {};
      }),
      HoldKafkaGroup: unary(async (req) => {
        const groupId = requiredString(req.groupId, 'group_id');
        const holder = requiredString(req.holder, 'holder');
        if (req.release) {
          await c.releaseKafkaHold(groupId, holder);
          return {};
        }
        if (!Number.isInteger(req.ttlMs) || req.ttlMs < 1_000 || req.ttlMs > 600_000)
          throw new SamsaError('INVALID_REQUEST', `ttl_ms must be from 1000 to 600000, got ${req.ttlMs}`);
        await c.holdForKafka(groupId, holder, req.ttlMs);
        return {};
      }),
    };
  }

  private async askPeer(address: string): Promise<v1.GroupSummary__Output[]> {
    const peer = this.pool.coordinator(address);
    const md = new grpc.Metadata();
    md.set(FORWARDED, '1');
    try {
      const res = await callUnary<v1.ListGroupsResponse__Output>(address, { timeoutMs: 5_000 }, (options, cb) =>
        peer.listGroups({}, md, options, cb),
      );
      return res.groups;
    } catch (err) {
      // A partial list would look complete to the caller (a group missing from it reads as "no such
      // group"), so the whole call fails, retriable: the SDK asks again, the CLI says what to do.
      this.ctx.logger.warn({ err, address }, 'a coordinator did not answer ListGroups; the list is refused rather than given incomplete');
      throw new SamsaError(
        'REQUEST_TIMED_OUT',
        `the coordinator at ${address} did not answer ListGroups (${err instanceof Error ? err.message : String(err)}), so the groups it owns cannot be listed; retry, or check that coordinator`,
        { cause: err },
      );
    }
  }

  /**
   * Lag of every committed offset of the groups this coordinator owns (high watermark minus
   * committed; partitions whose high watermark could not be read are left out). For /metrics.
   */
  async lagSnapshot(): Promise<{ group: string; topic: string; partition: number; lag: number }[]> {
    const out: { group: string; topic: string; partition: number; lag: number }[] = [];
    for (const g of this.ctx.coordinator.listGroups()) {
      let rows: { tp: TopicPartition; committed: Committed | undefined }[];
      try {
        rows = this.ctx.coordinator.fetchOffsets(g.groupId);
      } catch {
        continue; // moved or unloaded meanwhile
      }
      for (const r of await this.withLag(rows)) {
        if (r.lag !== undefined && r.lag !== null && Number(r.lag) >= 0)
          out.push({ group: g.groupId, topic: r.topic ?? '', partition: r.partition ?? 0, lag: Number(r.lag) });
      }
    }
    return out;
  }

  /** CommittedOffset rows with the high watermark and lag (-1 when unknown). */
  private async withLag(rows: readonly { tp: TopicPartition; committed: Committed | undefined }[]): Promise<v1.CommittedOffset[]> {
    return Promise.all(
      rows.map(async ({ tp, committed }) => {
        const hw = await this.listOffsets(tp, { position: 'OFFSET_POSITION_LATEST' }).then(
          (r) => r.highWatermark,
          () => -1,
        );
        const offset = committed?.offset ?? -1;
        return {
          topic: tp.topic,
          partition: tp.partition,
          offset,
          metadata: committed?.metadata ?? '',
          highWatermark: hw,
          lag: hw >= 0 && offset >= 0 ? Math.max(0, hw - offset) : -1,
        };
      }),
    );
  }

  /** ListOffsets on the partition's leader (or any broker, which forwards). */
  private listOffsets(tp: TopicPartition, spec: v1.OffsetSpec): Promise<v1.ListOffsetsResponse__Output> {
    const leader = this.ctx.view.partition(tp.topic, tp.partition)?.leader;
    const reg = (leader !== undefined ? this.ctx.view.broker(leader) : undefined) ?? this.ctx.view.brokers()[0];
    if (!reg) throw new SamsaError('LEADER_NOT_AVAILABLE', 'no broker is alive');
    const address = `${reg.host}:${reg.port}`;
    const broker = this.pool.broker(address);
    return callUnary<v1.ListOffsetsResponse__Output>(address, { timeoutMs: 10_000 }, (options, cb) =>
      broker.listOffsets({ topic: tp.topic, partition: tp.partition, spec }, options, cb),
    );
  }
}

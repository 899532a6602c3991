/**
 * Consumer-group administration and lookup: find a group's coordinator (FindCoordinator on any
 * broker), then list, describe, reset offsets, delete. A call that meets a moved or loading group
 * (NOT_COORDINATOR, NOT_READY) looks the coordinator up again and retries through the retry helper.
 *
 *   const groups = samsa.groups();
 *   for (const g of await groups.list()) console.log(g.groupId, g.state, g.members);
 *   await groups.resetOffsets({ groupId: 'billing', topic: 'orders', to: 'earliest' });
 */
import type * as grpc from '@grpc/grpc-js';
import { callUnary, type v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { callError } from '../errors.js';
import type { OffsetCommit } from '../consumer/offset-committer.js';
import { toWireOffsetSpec, type OffsetSpec } from '../consumer/offset-spec.js';
import { retry } from '../../runtime/index.js';

export interface GroupListing {
  groupId: string;
  state: string;
  members: number;
}

export interface GroupOffset {
  topic: string;
  partition: number;
  /** -1 when nothing is committed. */
  offset: number;
  metadata: string;
  highWatermark: number;
  /** -1 when unknown. */
  lag: number;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  generation: number;
  assignor: string;
  members: {
    memberId: string;
    groupInstanceId: string | undefined;
    clientHost: string;
    partitions: { topic: string; partitions: number[] }[];
  }[];
  offsets: GroupOffset[];
  /** A share group's records (docs/queues.md); undefined for a classic group. */
  share: ShareGroupCounts | undefined;
}

export interface ShareGroupCounts {
  members: number;
  /** Delivered and not answered yet. */
  inFlight: number;
  /** Read by the coordinator and waiting for a member. */
  available: number;
  /** Since the group was created (kept across coordinator failovers). */
  acked: number;
  deadLettered: number;
}

export interface ResetOffsetsOptions {
  groupId: string;
  topic: string;
  /** Default: every partition of the topic. */
  partitions?: readonly number[];
  to: OffsetSpec;
  dryRun?: boolean;
}

const toOffset = (o: v1.CommittedOffset__Output): GroupOffset => ({
  topic: o.topic,
  partition: o.partition,
  offset: o.offset,
  metadata: o.metadata,
  highWatermark: o.highWatermark,
  lag: o.lag,
});

export class Groups {
  private readonly coordinators = new Map<string, string>();

  constructor(private readonly cluster: Cluster) {}

  /** host:port of the coordinator of `groupId` ('' = any coordinator), asked of a broker. */
  async findCoordinator(groupId: string, refresh = false): Promise<string> {
    const cached = this.coordinators.get(groupId);
    if (cached && !refresh) return cached;
    const broker = this.cluster.anyBrokerAddress();
    const res = await callUnary<v1.FindCoordinatorResponse__Output>(
      broker,
      { timeoutMs: this.cluster.options.requestTimeoutMs, toError: callError },
      (opts, cb) => this.cluster.pool.coordinator(broker).findCoordinator({ groupId }, opts, cb),
    );
    const address = `${res.host}:${res.port}`;
    this.coordinators.set(groupId, address);
    return address;
  }

  async list(): Promise<GroupListing[]> {
    const res = await this.onCoordinator<v1.ListGroupsResponse__Output>('', (c, opts, cb) => c.listGroups({}, opts, cb));
    return res.groups.map((g) => ({ groupId: g.groupId, state: g.state, members: g.members }));
  }

  async describe(groupId: string): Promise<GroupDescription> {
    const d = await this.onCoordinator<v1.DescribeGroupResponse__Output>(groupId, (c, opts, cb) => c.describeGroup({ groupId }, opts, cb));
    return {
      groupId: d.groupId,
      state: d.state,
      generation: d.generation,
      assignor: d.assignor,
      members: d.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? undefined,
        clientHost: m.clientHost,
        partitions: m.partitions.map((p) => ({ topic: p.topic, partitions: [...p.partitions] })),
      })),
      offsets: d.offsets.map(toOffset),
      share: d.share
        ? {
            members: d.share.members,
            inFlight: Number(d.share.inFlight),
            available: Number(d.share.available),
            acked: Number(d.share.acked),
            deadLettered: Number(d.share.deadLettered),
          }
        : undefined,
    };
  }

  /**
   * Committed offsets of the group: of every partition that has one, or of `partitions` (offset -1
   * for those without). GROUP_ID_NOT_FOUND for a group with neither members nor offsets.
   */
  async fetchOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[] = []): Promise<GroupOffset[]> {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const request: v1.FetchOffsetsRequest = { groupId, partitions: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })) };
    const res = await this.onCoordinator<v1.FetchOffsetsResponse__Output>(groupId, (c, opts, cb) => c.fetchOffsets(request, opts, cb));
    return res.offsets.map(toOffset);
  }

  /**
   * Commits offsets for the group as a consumer without membership (member "" and generation -1,
   * Kafka's simple consumer group): durable (acks=all) when it resolves. Refused with
   * GROUP_NOT_EMPTY while the group has members; UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST.
   */
  async commitOffsets(groupId: string, offsets: readonly OffsetCommit[]): Promise<void> {
    const request: v1.CommitOffsetsRequest = {
      groupId,
      memberId: '',
      generation: -1,
      offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata })),
    };
    await this.onCoordinator<v1.CommitOffsetsResponse__Output>(groupId, (c, opts, cb) => c.commitOffsets(request, opts, cb));
  }

  /** Sets the committed offsets of a group without members; resolves with the new offsets. */
  async resetOffsets(options: ResetOffsetsOptions): Promise<GroupOffset[]> {
    const request: v1.ResetOffsetsRequest = {
      groupId: options.groupId,
      topic: options.topic,
      partitions: [...(options.partitions ?? [])],
      to: toWireOffsetSpec(options.to),
      dryRun: options.dryRun ?? false,
    };
    const res = await this.onCoordinator<v1.ResetOffsetsResponse__Output>(options.groupId, (c, opts, cb) =>
      c.resetOffsets(request, opts, cb),
    );
    return res.offsets.map(toOffset);
  }

  async delete(groupId: string): Promise<void> {
    await this.onCoordinator<v1.DeleteGroupResponse__Output>(groupId, (c, opts, cb) => c.deleteGroup({ groupId }, opts, cb));
  }

  private onCoordinator<Res>(
    groupId: string,
    invoke: (
      client: v1.CoordinatorServiceClient,
      options: grpc.CallOptions,
      callback: (err: grpc.ServiceError | null, res?: Res) => void,
    ) => unknown,
  ): Promise<Res> {
    let refresh = false;
    return retry(
      async () => {
        const address = await this.findCoordinator(groupId, refresh);
        return callUnary<Res>(address, { timeoutMs: this.cluster.options.requestTimeoutMs, toError: callError }, (opts, cb) =>
          invoke(this.cluster.pool.coordinator(address), opts, cb),
        );
      },
      this.cluster.options.retry,
      {
        // NOT_COORDINATOR and NOT_READY (a group moving or loading) are retriable: look it up again.
        onRetry: () => {
          refresh = true;
        },
      },
    );
  }
}

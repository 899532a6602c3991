/**
 * Consumer-group APIs (docs/adr/0046). The gateway is the coordinator Kafka clients see
 * (FindCoordinator answers the gateway's node) and runs the classic protocol itself
 * (groups/classic-groups.ts); committed offsets go to Samsa's coordinator (CommitOffsets with member
 * "" and generation -1 once the gateway has checked the member and generation itself, FetchOffsets),
 * so `samsa groups describe` shows them and a Samsa consumer can resume from them.
 *
 * A group is either Kafka's or Samsa's: a JoinGroup for a group that has Samsa GroupConsume members
 * is refused INCONSISTENT_GROUP_PROTOCOL, with a log line saying why.
 */
import type {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../../libs/kafka-protocol/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { ERROR_CODES, errorMessage, kafkaCode, NONE } from '../kafka-errors.js';
import type { RequestContext } from './context.js';

const coordinatorOf = new Map<string, string>();

/** The Samsa coordinator of `groupId` (asked of any broker as the caller: needs DESCRIBE group). */
async function samsaCoordinator(ctx: RequestContext, groupId: string): Promise<string> {
  const cached = coordinatorOf.get(groupId);
  if (cached) return cached;
  const address = ctx.upstream.anyBroker();
  const res = await ctx.upstream.call<v1.FindCoordinatorResponse__Output>(ctx.caller, address, (o, cb) =>
    ctx.upstream.coordinator(address).findCoordinator({ groupId }, o, cb),
  );
  const found = `${res.host}:${res.port}`;
  coordinatorOf.set(groupId, found);
  return found;
}

async function onCoordinator<Res>(
  ctx: RequestContext,
  groupId: string,
  invoke: (c: v1.CoordinatorServiceClient) => Parameters<RequestContext['upstream']['call']>[2],
): Promise<Res> {
  const address = await samsaCoordinator(ctx, groupId);
  try {
    return (await ctx.upstream.call(ctx.caller, address, invoke(ctx.upstream.coordinator(address)))) as Res;
  } catch (err) {
    if (err instanceof SamsaError && (err.reason === 'NOT_COORDINATOR' || err.reason === 'NOT_READY')) coordinatorOf.delete(groupId);
    throw err;
  }
}

export async function findCoordinator(ctx: RequestContext, req: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
  const { node } = ctx;
  if (req.keyType !== 0)
    return { errorCode: ERROR_CODES.INVALID_REQUEST, errorMessage: 'transactions are not supported', nodeId: -1, host: '', port: -1 };
  try {
    await samsaCoordinator(ctx, req.key);
    return { throttleTimeMs: 0, errorCode: NONE, errorMessage: null, nodeId: node.nodeId, host: node.host, port: node.port };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: kafkaCode(err, 'group'), errorMessage: errorMessage(err), nodeId: -1, host: '', port: -1 };
  }
}

export async function joinGroup(ctx: RequestContext, req: JoinGroupRequest): Promise<JoinGroupResponse> {
  const group = ctx.groups.getOrCreate(req.groupId);
  if (group.members.size === 0) {
    // The group is Kafka's only if Samsa's coordinator has no GroupConsume members in it.
    try {
      const d = await onCoordinator<v1.DescribeGroupResponse__Output>(
        ctx,
        req.groupId,
        (c) => (o, cb) => c.describeGroup({ groupId: req.groupId }, o, cb),
      );
      if (d.members.length > 0) {
        ctx.logger.warn(
          { group: req.groupId },
          'JoinGroup refused: the group has Samsa GroupConsume members; a group is either Kafka clients or Samsa members',
        );
        return {
          throttleTimeMs: 0,
          errorCode: ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL,
          generationId: -1,
          protocolType: null,
          protocolName: null,
          leader: '',
          memberId: req.memberId,
          members: [],
        };
      }
    } catch (err) {
      if (!(err instanceof SamsaError && err.reason === 'GROUP_ID_NOT_FOUND'))
        return {
          throttleTimeMs: 0,
          errorCode: kafkaCode(err, 'group'),
          generationId: -1,
          protocolType: null,
          protocolName: null,
          leader: '',
          memberId: req.memberId,
          members: [],
        };
    }
  }
  const r = await group.join({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: ctx.header.clientId ?? '',
    clientHost: '',
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: ctx.header.apiVersion >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
  });
  return { throttleTimeMs: 0, ...r, skipAssignment: false };
}

export async function syncGroup(ctx: RequestContext, req: SyncGroupRequest): Promise<SyncGroupResponse> {
  const group = ctx.groups.get(req.groupId);
  if (!group)
    return {
      throttleTimeMs: 0,
      errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    };
  const r = await group.sync(req.memberId, req.generationId, req.assignments);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: group.protocolType,
    protocolName: group.protocol,
    assignment: r.assignment,
  };
}

export function heartbeat(ctx: RequestContext, req: HeartbeatRequest): Promise<HeartbeatResponse> {
  const group = ctx.groups.get(req.groupId);
  return Promise.resolve({
    throttleTimeMs: 0,
    errorCode: group ? group.heartbeat(req.memberId, req.generationId) : ERROR_CODES.UNKNOWN_MEMBER_ID,
  });
}

export function leaveGroup(ctx: RequestContext, req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
  const group = ctx.groups.get(req.groupId);
  const leaving =
    ctx.header.apiVersion >= 3
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: req.memberId, groupInstanceId: null }];
  const members = leaving.map((m) => ({ ...m, errorCode: group ? group.leave(m.memberId) : ERROR_CODES.UNKNOWN_MEMBER_ID }));
  const errorCode = ctx.header.apiVersion >= 3 ? NONE : (members[0]?.errorCode ?? NONE);
  return Promise.resolve({ throttleTimeMs: 0, errorCode, members });
}

export async function offsetCommit(ctx: RequestContext, req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
  const group = ctx.groups.get(req.groupId);
  const check = group
    ? group.commitCheck(req.memberId, req.generationIdOrMemberEpoch)
    : req.memberId === ''
      ? NONE
      : ERROR_CODES.UNKNOWN_MEMBER_ID;
  const respond = (code: (topic: string, partition: number) => number): OffsetCommitResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p.partitionIndex) })),
    })),
  });
  if (check !== NONE) return respond(() => check);
  const offsets = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      metadata: p.committedMetadata ?? '',
    })),
  );
  try {
    await onCoordinator<v1.CommitOffsetsResponse__Output>(
      ctx,
      req.groupId,
      (c) => (o, cb) => c.commitOffsets({ groupId: req.groupId, memberId: '', generation: -1, offsets }, o, cb),
    );
    return respond(() => NONE);
  } catch (err) {
    ctx.logger.debug({ group: req.groupId, err: errorMessage(err) }, 'offset commit failed');
    const code =
      err instanceof SamsaError && err.reason === 'AUTHORIZATION_FAILED' && err.message.includes('GROUP')
        ? ERROR_CODES.GROUP_AUTHORIZATION_FAILED
        : kafkaCode(err);
    return respond(() => code);
  }
}

export async function offsetFetch(ctx: RequestContext, req: OffsetFetchRequest): Promise<OffsetFetchResponse> {
  const wanted = req.topics === null ? [] : req.topics.map((t) => ({ topic: t.name, partitions: t.partitionIndexes }));
  try {
    const res = await onCoordinator<v1.FetchOffsetsResponse__Output>(
      ctx,
      req.groupId,
      (c) => (o, cb) => c.fetchOffsets({ groupId: req.groupId, partitions: wanted }, o, cb),
    );
    const topics = (
      req.topics ??
      [...new Set(res.offsets.map((x) => x.topic))].map((name) => ({
        name,
        partitionIndexes: res.offsets.filter((x) => x.topic === name).map((x) => x.partition),
      }))
    ).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const found = res.offsets.find((x) => x.topic === t.name && x.partition === p && x.offset >= 0);
        return {
          partitionIndex: p,
          committedOffset: found ? found.offset : -1,
          committedLeaderEpoch: -1,
          metadata: found?.metadata ?? '',
          errorCode: NONE,
        };
      }),
    }));
    return { throttleTimeMs: 0, topics, errorCode: NONE };
  } catch (err) {
    if (err instanceof SamsaError && err.reason === 'GROUP_ID_NOT_FOUND') {
      const topics = (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({
          partitionIndex: p,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: NONE,
        })),
      }));
      return { throttleTimeMs: 0, topics, errorCode: NONE };
    }
    return { throttleTimeMs: 0, topics: [], errorCode: kafkaCode(err, 'group') };
  }
}

export async function listGroups(ctx: RequestContext, _req: ListGroupsRequest): Promise<ListGroupsResponse> {
  const mine = ctx.groups.all().filter((g) => g.members.size > 0);
  const groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[] = mine.map((g) => ({
    groupId: g.groupId,
    protocolType: g.protocolType ?? 'consumer',
    groupState: g.state,
    groupType: 'classic',
  }));
  try {
    const address = ctx.upstream.anyBroker();
    const coord = await samsaCoordinator(ctx, '').catch(() => address);
    const res = await ctx.upstream.call<v1.ListGroupsResponse__Output>(ctx.caller, coord, (o, cb) =>
      ctx.upstream.coordinator(coord).listGroups({}, o, cb),
    );
    for (const g of res.groups)
      if (!groups.some((x) => x.groupId === g.groupId))
        groups.push({ groupId: g.groupId, protocolType: 'consumer', groupState: g.state, groupType: 'classic' });
    return { throttleTimeMs: 0, errorCode: NONE, groups };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: kafkaCode(err, 'cluster'), groups };
  }
}

export function describeGroups(ctx: RequestContext, req: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
  const groups = req.groups.map((id) => {
    const g = ctx.groups.get(id);
    if (!g || g.members.size === 0)
      return {
        errorCode: NONE,
        groupId: id,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      };
    return {
      errorCode: NONE,
      groupId: id,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: g.protocol ?? '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? Buffer.alloc(0),
        memberAssignment: m.assignment,
      })),
      authorizedOperations: -2147483648,
    };
  });
  return Promise.resolve({ throttleTimeMs: 0, groups });
}

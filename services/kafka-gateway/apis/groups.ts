/**
 * Consumer-group APIs (docs/adr/0046, 0050). The gateway is the coordinator Kafka clients see
 * (FindCoordinator answers the gateway's node) and runs the classic protocol itself
 * (libs/kafka-group); committed offsets go to Samsa's coordinator (CommitOffsets with member
 * "kafka-gateway-<id>", the holder, and generation -1 once the gateway has checked the member and
 * generation itself; member "" for a commit from outside the group; FetchOffsets),
 * so `samsa groups describe` shows them and a Samsa consumer can resume from them.
 *
 * A group is either Kafka's or Samsa's, and Samsa's coordinator is the judge: every JoinGroup holds
 * the group there for this gateway (libs/kafka-group group-holds.ts, as the client, which checks its READ on
 * the group). The hold is refused when the group has Samsa GroupConsume members (the JoinGroup gets
 * INCONSISTENT_GROUP_PROTOCOL) or is held by another gateway (COORDINATOR_NOT_AVAILABLE, retriable:
 * the other gateway's hold lapses if it stops); while it lasts, GroupConsume joins are refused.
 * Authorization as Kafka's: READ on the group for JoinGroup, SyncGroup, Heartbeat and LeaveGroup
 * (GROUP_AUTHORIZATION_FAILED otherwise), DESCRIBE for FindCoordinator and DescribeGroups.
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
import type { ClassicGroup, HoldRequest } from '../../../libs/kafka-group/index.js';
import { ERROR_CODES, errorMessage, kafkaCode, NONE } from '../kafka-errors.js';
import type { Caller, Upstream } from '../upstream.js';
import type { RequestContext } from './context.js';

/** Group id -> address of its Samsa coordinator (routing only: every call is still made, and authorized, as its caller). */
const coordinatorOf = new Map<string, string>();

/** The Samsa coordinator of `groupId`, asked of any broker as `caller` (needs DESCRIBE on the group). */
async function findSamsaCoordinator(upstream: Upstream, caller: Caller, groupId: string): Promise<string> {
  const address = upstream.anyBroker();
  const res = await upstream.call<v1.FindCoordinatorResponse__Output>(caller, address, (o, cb) =>
    upstream.coordinator(address).findCoordinator({ groupId }, o, cb),
  );
  const found = `${res.host}:${res.port}`;
  coordinatorOf.set(groupId, found);
  return found;
}

async function onCoordinator<Res>(
  upstream: Upstream,
  caller: Caller,
  groupId: string,
  invoke: (c: v1.CoordinatorServiceClient) => Parameters<Upstream['call']>[2],
): Promise<Res> {
  const address = coordinatorOf.get(groupId) ?? (await findSamsaCoordinator(upstream, caller, groupId));
  try {
    return (await upstream.call(caller, address, invoke(upstream.coordinator(address)))) as Res;
  } catch (err) {
    if (err instanceof SamsaError && (err.reason === 'NOT_COORDINATOR' || err.reason === 'NOT_READY')) coordinatorOf.delete(groupId);
    throw err;
  }
}

/** HoldKafkaGroup on the group's Samsa coordinator as `caller` (GroupHolds calls this). */
export async function holdKafkaGroup(upstream: Upstream, caller: Caller, groupId: string, request: HoldRequest): Promise<void> {
  await onCoordinator<v1.HoldKafkaGroupResponse__Output>(
    upstream,
    caller,
    groupId,
    (c) => (o, cb) => c.holdKafkaGroup({ groupId, holder: request.holder, ttlMs: request.ttlMs, release: request.release }, o, cb),
  );
}

/**
 * Kafka's code for a refused hold, logged when it is a refusal of the group itself. Unavailability
 * of Samsa's coordinator is COORDINATOR_NOT_AVAILABLE, which clients retry.
 */
function holdRefusal(ctx: RequestContext, groupId: string, err: unknown): number {
  if (err instanceof SamsaError && err.reason === 'INCONSISTENT_GROUP_PROTOCOL') {
    const heldBy = err.details['held-by'];
    ctx.logger.warn(
      { group: groupId, heldBy, principal: ctx.caller.principal },
      heldBy
        ? "Kafka group request refused: the group is held by Kafka clients of another gateway; all of a group's Kafka clients must use one gateway"
        : 'Kafka group request refused: the group has Samsa GroupConsume members; a group is either Kafka clients or Samsa members',
    );
    return heldBy ? ERROR_CODES.COORDINATOR_NOT_AVAILABLE : ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL;
  }
  if (err instanceof SamsaError && (err.reason === 'NOT_COORDINATOR' || err.reason === 'NOT_READY'))
    return ERROR_CODES.COORDINATOR_NOT_AVAILABLE;
  return kafkaCode(err, 'group');
}

/**
 * Renews the hold as this request's client when due (checks its READ on the group). NONE, or the
 * code to answer with: a refusal of the group or of the client; a coordinator that is briefly
 * unavailable is no reason to fail a heartbeat (the hold outlives it), so that is NONE.
 */
async function renew(ctx: RequestContext, group: ClassicGroup, memberId: string): Promise<number> {
  const sessionTimeoutMs = group.members.get(memberId)?.sessionTimeoutMs ?? 0;
  try {
    await ctx.holds.hold(ctx.caller, group.groupId, false, sessionTimeoutMs);
    return NONE;
  } catch (err) {
    const code = holdRefusal(ctx, group.groupId, err);
    if (code === ERROR_CODES.COORDINATOR_NOT_AVAILABLE && !(err instanceof SamsaError && err.details['held-by'])) {
      ctx.logger.debug({ group: group.groupId, err: errorMessage(err) }, 'renewing a Kafka group hold failed; retried on the next request');
      return NONE;
    }
    return code;
  }
}

export async function findCoordinator(ctx: RequestContext, req: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
  const { node } = ctx;
  if (req.keyType !== 0)
    return { errorCode: ERROR_CODES.INVALID_REQUEST, errorMessage: 'transactions are not supported', nodeId: -1, host: '', port: -1 };
  try {
    // Asked each time as the client: Samsa checks its DESCRIBE on the group, as Kafka does.
    await findSamsaCoordinator(ctx.upstream, ctx.caller, req.key);
    return { throttleTimeMs: 0, errorCode: NONE, errorMessage: null, nodeId: node.nodeId, host: node.host, port: node.port };
  } catch (err) {
    const code =
      err instanceof SamsaError && (err.reason === 'NOT_COORDINATOR' || err.reason === 'NOT_READY')
        ? ERROR_CODES.COORDINATOR_NOT_AVAILABLE
        : kafkaCode(err, 'group');
    return { throttleTimeMs: 0, errorCode: code, errorMessage: errorMessage(err), nodeId: -1, host: '', port: -1 };
  }
}

export async function joinGroup(ctx: RequestContext, req: JoinGroupRequest): Promise<JoinGroupResponse> {
  try {
    // Before the group object is taken: the hold is the judge of whether this group is Kafka's.
    await ctx.holds.hold(ctx.caller, req.groupId, true, req.sessionTimeoutMs);
  } catch (err) {
    return {
      throttleTimeMs: 0,
      errorCode: holdRefusal(ctx, req.groupId, err),
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      memberId: req.memberId,
      members: [],
      skipAssignment: false,
    };
  }
  const group = ctx.groups.getOrCreate(req.groupId);
  const r = await group.join({
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: ctx.header.clientId ?? '',
    clientHost: ctx.clientHost,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: ctx.header.apiVersion >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
  });
  ctx.groups.settle(group);
  return { throttleTimeMs: 0, ...r, skipAssignment: false };
}

export async function syncGroup(ctx: RequestContext, req: SyncGroupRequest): Promise<SyncGroupResponse> {
  const group = ctx.groups.get(req.groupId);
  const fail = (errorCode: number): SyncGroupResponse => ({
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  });
  if (!group) return fail(ERROR_CODES.UNKNOWN_MEMBER_ID);
  const refused = await renew(ctx, group, req.memberId);
  if (refused !== NONE) return fail(refused);
  const r = await group.sync(req.memberId, req.generationId, req.assignments);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: group.protocolType,
    protocolName: group.protocol,
    assignment: r.assignment,
  };
}

export async function heartbeat(ctx: RequestContext, req: HeartbeatRequest): Promise<HeartbeatResponse> {
  const group = ctx.groups.get(req.groupId);
  if (!group) return { throttleTimeMs: 0, errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID };
  const refused = await renew(ctx, group, req.memberId);
  return { throttleTimeMs: 0, errorCode: refused !== NONE ? refused : group.heartbeat(req.memberId, req.generationId) };
}

export async function leaveGroup(ctx: RequestContext, req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
  const group = ctx.groups.get(req.groupId);
  const leaving =
    ctx.header.apiVersion >= 3
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: req.memberId, groupInstanceId: null }];
  const refused = group ? await renew(ctx, group, leaving[0]?.memberId ?? '') : NONE;
  if (refused !== NONE) return { throttleTimeMs: 0, errorCode: refused, members: [] };
  const members = leaving.map((m) => ({ ...m, errorCode: group ? group.leave(m.memberId) : ERROR_CODES.UNKNOWN_MEMBER_ID }));
  if (group) ctx.groups.settle(group);
  const errorCode = ctx.header.apiVersion >= 3 ? NONE : (members[0]?.errorCode ?? NONE);
  return { throttleTimeMs: 0, errorCode, members };
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
      ctx.upstream,
      ctx.caller,
      req.groupId,
      // A member of a group held here commits as this gateway (the holder); anyone else from outside.
      (c) => (o, cb) =>
        c.commitOffsets(
          { groupId: req.groupId, memberId: group && req.memberId !== '' ? ctx.holds.holder : '', generation: -1, offsets },
          o,
          cb,
        ),
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
      ctx.upstream,
      ctx.caller,
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

/** Whether `caller` may describe `groupId` (Samsa's FindCoordinator needs DESCRIBE on it). */
async function describable(ctx: RequestContext, groupId: string): Promise<unknown> {
  try {
    await findSamsaCoordinator(ctx.upstream, ctx.caller, groupId);
    return undefined;
  } catch (err) {
    return err;
  }
}

export async function listGroups(ctx: RequestContext, _req: ListGroupsRequest): Promise<ListGroupsResponse> {
  // This gateway's groups with members, those the client may describe (as Samsa filters its own list).
  const mine = ctx.groups.all().filter((g) => g.members.size > 0);
  const visible = await Promise.all(mine.map(async (g) => (await describable(ctx, g.groupId)) === undefined));
  const groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[] = mine
    .filter((_, i) => visible[i])
    .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? 'consumer', groupState: g.state, groupType: 'classic' }));
  try {
    const address = ctx.upstream.anyBroker();
    const coord = await findSamsaCoordinator(ctx.upstream, ctx.caller, '').catch(() => address);
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

export async function describeGroups(ctx: RequestContext, req: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
  const groups = await Promise.all(
    req.groups.map(async (id) => {
      const none = {
        errorCode: NONE,
        groupId: id,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      };
      // DESCRIBE on the group, as Kafka checks it.
      const denied = await describable(ctx, id);
      if (denied instanceof SamsaError && denied.reason === 'AUTHORIZATION_FAILED')
        return { ...none, errorCode: ERROR_CODES.GROUP_AUTHORIZATION_FAILED };
      const g = ctx.groups.get(id);
      if (!g || g.members.size === 0) return none;
      return {
        ...none,
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
      };
    }),
  );
  return { throttleTimeMs: 0, groups };
}

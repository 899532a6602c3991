/**
 * What every Samsa RPC needs, in one table: which (operation, resource) ACL checks a request must
 * pass, as Kafka's authorizer does for the matching Kafka API, which RPCs only Samsa's own services
 * may call, and which answers are filtered to what the caller may describe.
 *
 * | RPC                                   | needs (Kafka's equivalent)                                  |
 * |---------------------------------------|-------------------------------------------------------------|
 * | Produce                               | WRITE topic                                                 |
 * | Fetch, Consume                        | READ topic                                                  |
 * | ListOffsets                           | DESCRIBE topic                                              |
 * | GetMetadata, DescribeTopics           | DESCRIBE each named topic; with none named, the answer lists only describable topics |
 * | ListTopics                            | the answer lists only describable topics                    |
 * | InitProducerId                        | IDEMPOTENT_WRITE cluster, or WRITE on some topic            |
 * | CreateTopic                           | CREATE cluster or CREATE topic                              |
 * | DeleteTopic                           | DELETE topic                                                |
 * | CreatePartitions                      | ALTER topic                                                 |
 * | AlterTopicConfig                      | ALTER_CONFIGS topic                                         |
 * | CreateAcls, DeleteAcls                | ALTER cluster                                               |
 * | DescribeAcls                          | DESCRIBE cluster                                            |
 * | AlterQuotas / DescribeQuotas          | ALTER_CONFIGS / DESCRIBE_CONFIGS cluster                    |
 * | ElectLeaders, AlterPartitionReassignments | ALTER cluster                                           |
 * | ListPartitionReassignments            | DESCRIBE cluster                                            |
 * | DescribeReplicas (broker)             | DESCRIBE cluster (Kafka's DescribeLogDirs)                  |
 * | DrainBrokers                          | ALTER cluster (DESCRIBE cluster to list only)               |
 * | FindCoordinator, DescribeGroup, FetchOffsets | DESCRIBE group                                       |
 * | GroupConsume (join), CommitOffsets, ResetOffsets | READ group and READ each topic                    |
 * | HoldKafkaGroup                        | READ group (Kafka's JoinGroup, SyncGroup, Heartbeat)        |
 * | ShareConsume (join)                   | READ group and READ each topic (the dead-letter topic is written by the coordinator) |
 * | DeleteGroup                           | DELETE group                                                |
 * | ListGroups                            | the answer lists only describable groups                    |
 * | Replicate                             | a broker's service identity                                 |
 * | CreateInternalTopic                   | a coordinator's (or a forwarding controller's) identity     |
 *
 * A Samsa RPC missing from this table is refused (a unit test checks every RPC of every service
 * has a rule): a new RPC is a decision, not an opening.
 */
import type { v1 } from '../../rpc/index.js';
import { CLUSTER, groupResource, topicResource, type Operation, type Resource, type ResourceType } from '../acl/acl.js';
import type { ServiceKindName } from '../principal.js';

export interface Check {
  operation: Operation;
  resource: Resource;
  /** Also satisfied by the same operation on the cluster (CreateTopic: CREATE cluster or CREATE topic). */
  orCluster?: boolean;
}

/** Given "may the caller describe this?", the answer with what it may not see removed. */
export type ResponseFilter = (response: unknown, may: (operation: Operation, resource: Resource) => boolean) => unknown;

export type Rule =
  | { kind: 'services'; services: readonly ServiceKindName[] }
  | {
      kind: 'acl';
      /** Checks of one request message (each message of a stream). */
      checks: (request: unknown) => Check[];
      /** Also allowed with `operation` on some resource of `type` (Kafka's authorizeByResourceType). */
      anyOfType?: { operation: Operation; type: ResourceType };
      filter?: ResponseFilter;
    };

const topic = (name: string, operation: Operation): Check => ({ operation, resource: topicResource(name) });
const group = (name: string, operation: Operation): Check => ({ operation, resource: groupResource(name) });
const cluster = (operation: Operation): Check => ({ operation, resource: CLUSTER });
const uniq = (names: Iterable<string>): string[] => [...new Set(names)];

function acl<Req>(checks: (request: Req) => Check[], extra: Omit<Extract<Rule, { kind: 'acl' }>, 'kind' | 'checks'> = {}): Rule {
  return { kind: 'acl', checks: checks as (request: unknown) => Check[], ...extra };
}

const describable = (may: (operation: Operation, resource: Resource) => boolean) => (name: string) => may('DESCRIBE', topicResource(name));

/** GetMetadata (broker and controller): named topics need DESCRIBE; "all topics" lists the describable ones. */
const getMetadata = acl<v1.GetMetadataRequest__Output>((r) => uniq(r.topics).map((t) => topic(t, 'DESCRIBE')), {
  filter: (res, may) => {
    const m = res as v1.GetMetadataResponse;
    return { ...m, topics: (m.topics ?? []).filter((t) => describable(may)(t.name ?? '')) };
  },
});

const B = '/samsa.v1.BrokerService/';
const C = '/samsa.v1.ControllerService/';
const G = '/samsa.v1.CoordinatorService/';
const R = '/samsa.v1.ReplicationService/';

export const RULES: Readonly<Record<string, Rule>> = {
  [`${B}Produce`]: acl<v1.ProduceRequest__Output>((r) => [topic(r.topic, 'WRITE')]),
  [`${B}Fetch`]: acl<v1.FetchRequest__Output>((r) => [topic(r.topic, 'READ')]),
  [`${B}Consume`]: acl<v1.ConsumeRequest__Output>((r) => [topic(r.topic, 'READ')]),
  [`${B}ListOffsets`]: acl<v1.ListOffsetsRequest__Output>((r) => [topic(r.topic, 'DESCRIBE')]),
  [`${B}GetMetadata`]: getMetadata,
  [`${B}DescribeReplicas`]: acl(() => [cluster('DESCRIBE')]),
  [`${B}InitProducerId`]: acl(() => [cluster('IDEMPOTENT_WRITE')], { anyOfType: { operation: 'WRITE', type: 'TOPIC' } }),

  [`${C}CreateTopic`]: acl<v1.CreateTopicRequest__Output>((r) => [{ ...topic(r.name, 'CREATE'), orCluster: true }]),
  [`${C}DeleteTopic`]: acl<v1.DeleteTopicRequest__Output>((r) => [topic(r.name, 'DELETE')]),
  [`${C}ListTopics`]: acl(() => [], {
    filter: (res, may) => {
      const m = res as v1.ListTopicsResponse;
      return { ...m, names: (m.names ?? []).filter(describable(may)) };
    },
  }),
  [`${C}DescribeTopics`]: acl<v1.DescribeTopicsRequest__Output>((r) => uniq(r.names).map((t) => topic(t, 'DESCRIBE')), {
    filter: (res, may) => {
      const m = res as v1.DescribeTopicsResponse;
      return { ...m, topics: (m.topics ?? []).filter((t) => describable(may)(t.name ?? '')) };
    },
  }),
  [`${C}GetMetadata`]: getMetadata,
  [`${C}CreatePartitions`]: acl<v1.CreatePartitionsRequest__Output>((r) => [topic(r.name, 'ALTER')]),
  [`${C}AlterTopicConfig`]: acl<v1.AlterTopicConfigRequest__Output>((r) => [topic(r.name, 'ALTER_CONFIGS')]),
  // A standby controller forwards to the active one with its own identity.
  [`${C}CreateInternalTopic`]: { kind: 'services', services: ['coordinator', 'controller'] },
  [`${C}CreateAcls`]: acl(() => [cluster('ALTER')]),
  [`${C}DescribeAcls`]: acl(() => [cluster('DESCRIBE')]),
  [`${C}DeleteAcls`]: acl(() => [cluster('ALTER')]),
  [`${C}AlterQuotas`]: acl(() => [cluster('ALTER_CONFIGS')]),
  [`${C}DescribeQuotas`]: acl(() => [cluster('DESCRIBE_CONFIGS')]),
  [`${C}ElectLeaders`]: acl(() => [cluster('ALTER')]),
  [`${C}AlterPartitionReassignments`]: acl(() => [cluster('ALTER')]),
  [`${C}ListPartitionReassignments`]: acl(() => [cluster('DESCRIBE')]),
  [`${C}DrainBrokers`]: acl<v1.DrainBrokersRequest__Output>((r) => [cluster(r.brokerIds.length > 0 ? 'ALTER' : 'DESCRIBE')]),

  [`${G}FindCoordinator`]: acl<v1.FindCoordinatorRequest__Output>((r) => [group(r.groupId, 'DESCRIBE')]),
  [`${G}GroupConsume`]: acl<v1.GroupConsumeRequest__Output>((r) =>
    r.join ? [group(r.join.groupId, 'READ'), ...uniq(r.join.topics).map((t) => topic(t, 'READ'))] : [],
  ),
  [`${G}ShareConsume`]: acl<v1.ShareConsumeRequest__Output>((r) =>
    r.join ? [group(r.join.groupId, 'READ'), ...uniq(r.join.topics).map((t) => topic(t, 'READ'))] : [],
  ),
  [`${G}CommitOffsets`]: acl<v1.CommitOffsetsRequest__Output>((r) => [
    group(r.groupId, 'READ'),
    ...uniq(r.offsets.map((o) => o.topic)).map((t) => topic(t, 'READ')),
  ]),
  [`${G}FetchOffsets`]: acl<v1.FetchOffsetsRequest__Output>((r) => [group(r.groupId, 'DESCRIBE')]),
  [`${G}ListGroups`]: acl(() => [], {
    filter: (res, may) => {
      const m = res as v1.ListGroupsResponse;
      return { ...m, groups: (m.groups ?? []).filter((g) => may('DESCRIBE', groupResource(g.groupId ?? ''))) };
    },
  }),
  [`${G}DescribeGroup`]: acl<v1.DescribeGroupRequest__Output>((r) => [group(r.groupId, 'DESCRIBE')]),
  [`${G}ResetOffsets`]: acl<v1.ResetOffsetsRequest__Output>((r) => [group(r.groupId, 'READ'), topic(r.topic, 'READ')]),
  [`${G}DeleteGroup`]: acl<v1.DeleteGroupRequest__Output>((r) => [group(r.groupId, 'DELETE')]),
  [`${G}HoldKafkaGroup`]: acl<v1.HoldKafkaGroupRequest__Output>((r) => [group(r.groupId, 'READ')]),

  [`${R}Replicate`]: { kind: 'services', services: ['broker'] },
};

/** The rule of a method path, or undefined for a Samsa RPC without one (refused) — see the module comment. */
export function ruleOf(path: string): Rule | undefined {
  return RULES[path];
}

/** Paths this table governs: Samsa's own services (health and reflection are not Samsa's). */
export function isSamsaMethod(path: string): boolean {
  return path.startsWith('/samsa.');
}

/**
 * ControllerService handlers. The active controller answers admin calls itself; a standby forwards
 * them to the active one (known from the metadata), or fails with NOT_CONTROLLER while an election
 * is under way. Reads (list, describe, metadata) are answered from the local view by anyone.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../libs/errors/index.js';
import {
  addingReplicas,
  assertNotInternalTopic,
  removingReplicas,
  type ClusterView,
  type PartitionState,
  type TopicConfigRequest,
} from '../../libs/cluster/index.js';
import { internalTopicCommand, type ActiveController, type CreateTopicCommand, type TopicOutcome } from '../../libs/controller/index.js';
import { toMetadataResponse, toTopicInfo, topicInfoOf } from '../../libs/service/index.js';
import { callUnary, ClientPool, unary, type v1 } from '../../libs/rpc/index.js';
import { securityHandlers, type SecurityContext } from './security-handlers.js';

const FORWARDED = 'samsa-forwarded';

export interface ControllerContext {
  clusterId: string;
  selfAddress: string;
  view: ClusterView;
  /** The active controller object when this process is elected, else undefined. */
  active(): ActiveController | undefined;
  /** ACLs and quotas (security-handlers.ts). */
  security: SecurityContext;
}

/** A CreateTopicRequest as the controller's command: 0 (proto's unset) partitions or replication factor means 1. */
function createTopicCommand(req: v1.CreateTopicRequest__Output): CreateTopicCommand {
  return {
    name: req.name,
    partitions: req.partitions === 0 ? 1 : req.partitions,
    replicationFactor: req.replicationFactor === 0 ? 1 : req.replicationFactor,
    config: req.config,
    validateOnly: req.validateOnly,
  };
}

/** The values set in a proto3 TopicConfig; the oneof markers (_field) and unset fields are not changes. */
function configChanges(config: v1.TopicConfig__Output | null): TopicConfigRequest {
  return Object.fromEntries(
    Object.entries(config ?? {}).filter(([k, v]) => !k.startsWith('_') && v !== undefined && v !== null),
  ) as TopicConfigRequest;
}

/** A partition with a move in progress, as ListPartitionReassignments shows it. */
function reassignmentOf(s: PartitionState): v1.PartitionReassignment {
  return {
    topic: s.topic,
    partition: s.partition,
    targetReplicas: s.reassignment?.target ?? s.replicas,
    originalReplicas: s.reassignment?.original ?? s.replicas,
    replicas: s.replicas,
    addingReplicas: addingReplicas(s),
    removingReplicas: removingReplicas(s),
    isr: s.isr,
    leaderId: s.leader,
    throttleBytesPerSecond: s.reassignment?.throttleBytesPerSecond ?? 0,
    startedAtMs: s.reassignment?.startedAtMs ?? 0,
  };
}

const OUTCOMES = {
  elected: 'ELECTION_OUTCOME_ELECTED',
  'not-needed': 'ELECTION_OUTCOME_NOT_NEEDED',
  'not-available': 'ELECTION_OUTCOME_NOT_AVAILABLE',
} as const;

function topicResponse(outcome: TopicOutcome): { topic: v1.TopicInfo } {
  return { topic: topicInfoOf(outcome.record, outcome.partitions) };
}

export class ControllerHandlers {
  /** Channels to the active controller (a former one's is closed by the pool once it is unused and failing). */
  private readonly pool = new ClientPool();

  constructor(private readonly ctx: ControllerContext) {}

  close(): void {
    this.pool.close();
  }

  /** The active controller's client, for forwarding; NOT_CONTROLLER when none is known or it is us. */
  private leaderClient(call: grpc.ServerUnaryCall<unknown, unknown>): { address: string; client: v1.ControllerServiceClient } {
    const epoch = this.ctx.view.controller();
    const address = epoch ? `${epoch.host}:${epoch.port}` : undefined;
    if (!address || address === this.ctx.selfAddress || call.metadata.get(FORWARDED).length > 0) {
      throw new SamsaError('NOT_CONTROLLER', 'no active controller right now (an election is under way); retry shortly');
    }
    return { address, client: this.pool.controller(address) };
  }

  private forwardMetadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set(FORWARDED, '1');
    return md;
  }

  /** Runs an admin call on the active controller: here when elected, else forwarded to it. */
  private onActive<Res, Forwarded extends Res>(
    call: grpc.ServerUnaryCall<unknown, unknown>,
    local: (active: ActiveController) => Promise<Res>,
    forward: (
      client: v1.ControllerServiceClient,
      md: grpc.Metadata,
      options: grpc.CallOptions,
      cb: grpc.requestCallback<Forwarded>,
    ) => unknown,
  ): Promise<Res> {
    const active = this.ctx.active();
    if (active) return local(active);
    const { address, client } = this.leaderClient(call);
    return callUnary<Forwarded>(address, { timeoutMs: 30_000 }, (options, cb) => forward(client, this.forwardMetadata(), options, cb));
  }

  handlers(): v1.ControllerServiceHandlers {
    return {
      CreateTopic: unary((req, call) => {
        assertNotInternalTopic(req.name, 'created by clients (Samsa creates its internal topics itself)');
        return this.onActive<v1.CreateTopicResponse, v1.CreateTopicResponse__Output>(
          call,
          async (active) => topicResponse(await active.createTopic(createTopicCommand(req))),
          (client, md, options, cb) => client.createTopic(req, md, options, cb),
        );
      }),
      // Coordinator (and forwarding controller) identities only: libs/security access rules.
      CreateInternalTopic: unary((req, call) => {
        const creation = internalTopicCommand(req);
        return this.onActive<v1.CreateInternalTopicResponse, v1.CreateInternalTopicResponse__Output>(
          call,
          async (active) => topicResponse(await active.createTopic(creation)),
          (client, md, options, cb) => client.createInternalTopic(req, md, options, cb),
        );
      }),
      DeleteTopic: unary((req, call) =>
        this.onActive<v1.DeleteTopicResponse, v1.DeleteTopicResponse__Output>(
          call,
          async (active) => {
            await active.deleteTopic(req.name);
            return {};
          },
          (client, md, options, cb) => client.deleteTopic(req, md, options, cb),
        ),
      ),
      CreatePartitions: unary((req, call) =>
        this.onActive<v1.CreatePartitionsResponse, v1.CreatePartitionsResponse__Output>(
          call,
          async (active) =>
            topicResponse(
              await active.createPartitions({ name: req.name, totalPartitions: req.totalPartitions, validateOnly: req.validateOnly }),
            ),
          (client, md, options, cb) => client.createPartitions(req, md, options, cb),
        ),
      ),
      AlterTopicConfig: unary((req, call) =>
        this.onActive<v1.AlterTopicConfigResponse, v1.AlterTopicConfigResponse__Output>(
          call,
          async (active) =>
            topicResponse(
              await active.alterTopicConfig({ name: req.name, changes: configChanges(req.config), validateOnly: req.validateOnly }),
            ),
          (client, md, options, cb) => client.alterTopicConfig(req, md, options, cb),
        ),
      ),
      ElectLeaders: unary((req, call) =>
        this.onActive<v1.ElectLeadersResponse, v1.ElectLeadersResponse__Output>(
          call,
          async (active) => {
            const type = req.electionType === 'ELECTION_TYPE_UNCLEAN' ? 'unclean' : 'preferred';
            const results = await active.electLeaders(type, req.partitions);
            return {
              results: results.map((r) => ({
                topic: r.topic,
                partition: r.partition,
                outcome: OUTCOMES[r.outcome],
                leaderId: r.leader,
                message: r.message,
              })),
            };
          },
          (client, md, options, cb) => client.electLeaders(req, md, options, cb),
        ),
      ),
      AlterPartitionReassignments: unary((req, call) =>
        this.onActive<v1.AlterPartitionReassignmentsResponse, v1.AlterPartitionReassignmentsResponse__Output>(
          call,
          async (active) => {
            const written = await active.reassignPartitions(
              req.reassignments.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas })),
              Number(req.throttleBytesPerSecond),
              req.validateOnly,
            );
            return { reassignments: written.filter((s) => s.reassignment).map(reassignmentOf) };
          },
          (client, md, options, cb) => client.alterPartitionReassignments(req, md, options, cb),
        ),
      ),
      DrainBrokers: unary((req, call) =>
        this.onActive<v1.DrainBrokersResponse, v1.DrainBrokersResponse__Output>(
          call,
          async (active) => ({ drainingBrokerIds: await active.drainBrokers(req.brokerIds, req.undrain, req.validateOnly) }),
          (client, md, options, cb) => client.drainBrokers(req, md, options, cb),
        ),
      ),
      ListPartitionReassignments: unary(async (req) => {
        const { view } = this.ctx;
        const wanted = req.partitions.length === 0 ? undefined : req.partitions;
        const moving = view
          .topics()
          .filter((t) => !wanted || wanted.some((w) => w.topic === t.name))
          .flatMap((t) => view.partitions(t.name))
          .filter((s) => s.reassignment)
          .filter(
            (s) => !wanted || wanted.some((w) => w.topic === s.topic && (w.partitions.length === 0 || w.partitions.includes(s.partition))),
          );
        return { reassignments: moving.map(reassignmentOf) };
      }),
      ListTopics: unary(async (req) => ({
        names: this.ctx.view
          .topics()
          .map((t) => t.name)
          .filter((n) => req.includeInternal || !n.startsWith('__')),
      })),
      DescribeTopics: unary(async (req) => {
        const records =
          req.names.length === 0
            ? this.ctx.view.topics()
            : req.names.map((name) => {
                const r = this.ctx.view.topic(name);
                if (!r) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
                return r;
              });
        return { topics: records.map((r) => toTopicInfo(this.ctx.view, r)) };
      }),
      GetMetadata: unary((req) => toMetadataResponse(this.ctx.view, this.ctx.clusterId, req.topics)),
      ...securityHandlers(this.ctx.security, (call, local, forward) => this.onActive(call, () => local(), forward)),
    };
  }
}

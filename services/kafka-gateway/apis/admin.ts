/**
 * Topic administration through Samsa's controller, as the caller: CreateTopics, DeleteTopics,
 * CreatePartitions, DescribeConfigs, AlterConfigs and IncrementalAlterConfigs (SET only). Config
 * names are Kafka's (`retention.ms`, `cleanup.policy`, ...; libs/client topic-config.ts); an unknown
 * one is INVALID_CONFIG. Manual replica assignments are refused INVALID_REQUEST (Samsa places
 * replicas itself). AlterConfigs in Kafka replaces a topic's whole config; here it sets the named
 * entries and leaves the rest (docs/kafka-compatibility.md).
 */
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../../libs/kafka-protocol/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { topicConfigEntries, topicConfigFromEntries, toTopicConfig } from '../../../libs/client/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { ERROR_CODES, errorMessage, kafkaCode, NONE } from '../kafka-errors.js';
import type { RequestContext } from './context.js';

const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;
/** DescribeConfigs config source: DYNAMIC_TOPIC_CONFIG. */
const TOPIC_CONFIG_SOURCE = 1;

function entries(configs: readonly { name: string; value: string | null }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of configs) {
    if (c.value === null) throw new SamsaError('INVALID_CONFIG', `config ${c.name} has no value`);
    out[c.name] = c.value;
  }
  return out;
}

export async function createTopics(ctx: RequestContext, req: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  const topics = await Promise.all(
    req.topics.map(async (t) => {
      try {
        if (t.assignments.length > 0)
          throw new SamsaError('INVALID_REQUEST', 'manual replica assignments are not supported: Samsa places replicas itself');
        const res = await ctx.upstream.controllerCall<v1.CreateTopicResponse__Output>(
          ctx.caller,
          (c) => (o, cb) =>
            c.createTopic(
              {
                name: t.name,
                partitions: Math.max(t.numPartitions, 0),
                replicationFactor: Math.max(t.replicationFactor, 0),
                config: topicConfigFromEntries(entries(t.configs)),
                validateOnly: req.validateOnly,
              },
              o,
              cb,
            ),
        );
        return {
          name: t.name,
          errorCode: NONE,
          errorMessage: null,
          numPartitions: res.topic?.partitions.length ?? t.numPartitions,
          replicationFactor: res.topic?.replicationFactor ?? t.replicationFactor,
          configs: [],
        };
      } catch (err) {
        return { name: t.name, errorCode: kafkaCode(err), errorMessage: errorMessage(err), numPartitions: -1, replicationFactor: -1 };
      }
    }),
  );
  return { throttleTimeMs: 0, topics };
}

export async function deleteTopics(ctx: RequestContext, req: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  const names = ctx.header.apiVersion >= 6 ? req.topics.map((t) => t.name) : req.topicNames;
  const responses = await Promise.all(
    names.map(async (name) => {
      if (name === null)
        return { name, errorCode: ERROR_CODES.UNKNOWN_TOPIC_ID, errorMessage: 'topic ids are not supported; name the topic' };
      try {
        await ctx.upstream.controllerCall<v1.DeleteTopicResponse__Output>(ctx.caller, (c) => (o, cb) => c.deleteTopic({ name }, o, cb));
        ctx.upstream.invalidate(name);
        return { name, errorCode: NONE, errorMessage: null };
      } catch (err) {
        return { name, errorCode: kafkaCode(err), errorMessage: errorMessage(err) };
      }
    }),
  );
  return { throttleTimeMs: 0, responses };
}

export async function createPartitions(ctx: RequestContext, req: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
  const results = await Promise.all(
    req.topics.map(async (t) => {
      try {
        if (t.assignments !== null && t.assignments.length > 0)
          throw new SamsaError('INVALID_REQUEST', 'manual replica assignments are not supported: Samsa places replicas itself');
        await ctx.upstream.controllerCall<v1.CreatePartitionsResponse__Output>(
          ctx.caller,
          (c) => (o, cb) => c.createPartitions({ name: t.name, totalPartitions: t.count, validateOnly: req.validateOnly }, o, cb),
        );
        ctx.upstream.invalidate(t.name);
        return { name: t.name, errorCode: NONE, errorMessage: null };
      } catch (err) {
        return { name: t.name, errorCode: kafkaCode(err), errorMessage: errorMessage(err) };
      }
    }),
  );
  return { throttleTimeMs: 0, results };
}

export async function describeConfigs(ctx: RequestContext, req: DescribeConfigsRequest): Promise<DescribeConfigsResponse> {
  const results = await Promise.all(
    req.resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === BROKER_RESOURCE) return { ...base, errorCode: NONE, errorMessage: null, configs: [] };
      if (r.resourceType !== TOPIC_RESOURCE)
        return {
          ...base,
          errorCode: ERROR_CODES.INVALID_REQUEST,
          errorMessage: `resource type ${r.resourceType} is not supported`,
          configs: [],
        };
      try {
        const md = await ctx.upstream.metadata(ctx.caller, [r.resourceName]);
        const t = md.topics.find((x) => x.name === r.resourceName);
        if (!t) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${r.resourceName}" does not exist`);
        const all = topicConfigEntries(toTopicConfig(t.config));
        const keys = r.configurationKeys === null || r.configurationKeys.length === 0 ? Object.keys(all) : r.configurationKeys;
        return {
          ...base,
          errorCode: NONE,
          errorMessage: null,
          configs: keys
            .filter((k) => all[k] !== undefined)
            .map((k) => ({
              name: k,
              value: all[k] ?? null,
              readOnly: false,
              isDefault: false,
              configSource: TOPIC_CONFIG_SOURCE,
              isSensitive: false,
              synonyms: [],
              configType: 0,
              documentation: null,
            })),
        };
      } catch (err) {
        return { ...base, errorCode: kafkaCode(err), errorMessage: errorMessage(err), configs: [] };
      }
    }),
  );
  return { throttleTimeMs: 0, results };
}

async function alterTopic(ctx: RequestContext, name: string, values: Record<string, string>, validateOnly: boolean): Promise<void> {
  await ctx.upstream.controllerCall<v1.AlterTopicConfigResponse__Output>(
    ctx.caller,
    (c) => (o, cb) => c.alterTopicConfig({ name, config: topicConfigFromEntries(values), validateOnly }, o, cb),
  );
}

export async function alterConfigs(ctx: RequestContext, req: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  const responses = await Promise.all(
    req.resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        if (r.resourceType !== TOPIC_RESOURCE)
          throw new SamsaError('INVALID_REQUEST', 'only topic configs can be altered through the gateway');
        await alterTopic(ctx, r.resourceName, entries(r.configs), req.validateOnly);
        return { ...base, errorCode: NONE, errorMessage: null };
      } catch (err) {
        return { ...base, errorCode: kafkaCode(err), errorMessage: errorMessage(err) };
      }
    }),
  );
  return { throttleTimeMs: 0, responses };
}

const SET = 0;

export async function incrementalAlterConfigs(
  ctx: RequestContext,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
  const responses = await Promise.all(
    req.resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        if (r.resourceType !== TOPIC_RESOURCE)
          throw new SamsaError('INVALID_REQUEST', 'only topic configs can be altered through the gateway');
        const bad = r.configs.find((c) => c.configOperation !== SET);
        if (bad) throw new SamsaError('INVALID_REQUEST', `only SET is supported (config ${bad.name} has operation ${bad.configOperation})`);
        await alterTopic(ctx, r.resourceName, entries(r.configs), req.validateOnly);
        return { ...base, errorCode: NONE, errorMessage: null };
      } catch (err) {
        return { ...base, errorCode: kafkaCode(err), errorMessage: errorMessage(err) };
      }
    }),
  );
  return { throttleTimeMs: 0, responses };
}

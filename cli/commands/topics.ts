/** `samsa topics create|list|describe|delete|alter|add-partitions`. */
import { Command } from 'commander';
import type { TopicMetadata } from '../../libs/client/index.js';
import { TOPIC_CONFIG_KEYS, topicConfigEntries } from '../../libs/client/index.js';
import type { CommandModule, CommandContext } from '../context.js';
import { plural, table } from '../output.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, collect, commandGroup, int } from '../usage.js';

/** A topic as -o json prints it. */
export interface TopicOutput {
  name: string;
  topicId: string;
  replicationFactor: number;
  config: Record<string, string>;
  partitions: {
    partition: number;
    /** null when the partition has no leader (offline). */
    leader: number | null;
    leaderEpoch: number;
    replicas: number[];
    isr: number[];
    offline: boolean;
    underReplicated: boolean;
  }[];
}

export const TOPIC_SCHEMA = s.object({
  name: s.string(),
  topicId: s.string(),
  replicationFactor: s.integer(),
  config: s.map(s.string(), 'the topic settings that differ from the defaults, as KEY: VALUE (e.g. "retention.ms": "3600000")'),
  partitions: s.array(
    s.object({
      partition: s.integer(),
      leader: s.nullable(s.integer('broker id; null when the partition has no leader')),
      leaderEpoch: s.integer(),
      replicas: s.array(s.integer(), 'broker ids, the preferred leader first'),
      isr: s.array(s.integer(), 'in-sync replicas'),
      offline: s.boolean('no leader'),
      underReplicated: s.boolean('fewer in-sync replicas than replicas'),
    }),
  ),
});

export function topicOutput(t: TopicMetadata): TopicOutput {
  return {
    name: t.name,
    topicId: t.topicId,
    replicationFactor: t.replicationFactor,
    config: topicConfigEntries(t.config),
    partitions: t.partitions.map((p) => ({
      partition: p.partition,
      leader: p.leaderId < 0 ? null : p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicas: [...p.replicas],
      isr: [...p.isr],
      offline: p.leaderId < 0,
      underReplicated: p.isr.length < p.replicas.length,
    })),
  };
}

const CONFIG_KEYS = `Keys: ${TOPIC_CONFIG_KEYS.join(', ')}`;

function configEntries(entries: readonly string[] | undefined): Record<string, string> {
  const config: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--config takes KEY=VALUE, got "${entry}"`);
    config[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return config;
}

function create(ctx: CommandContext): Command {
  const cmd = new Command('create')
    .description('create a topic')
    .argument('<name>', '1..249 characters of [a-zA-Z0-9._-]')
    .option('--partitions <n>', 'number of partitions', int(1), 1)
    .option('--replication-factor <r>', 'copies of each partition, at most the number of live brokers', int(1), 1)
    .option('--config <key=value>', `topic setting; repeat for several. ${CONFIG_KEYS}`, collect)
    .addHelpText('after', '\nExample: samsa topics create orders --partitions 6 --replication-factor 1 --config retention.ms=86400000')
    .action(async (name: string, o: { partitions: number; replicationFactor: number; config?: string[] }) => {
      const topic = await ctx
        .client()
        .admin()
        .createTopic({ name, partitions: o.partitions, replicationFactor: o.replicationFactor, config: configEntries(o.config) });
      ctx.print(
        topicOutput(topic),
        (t) => `created topic ${t.name} with ${plural(t.partitions.length, 'partition')}, replication factor ${t.replicationFactor}`,
      );
    });
  return outputSchema(cmd, TOPIC_SCHEMA);
}

function list(ctx: CommandContext): Command {
  const cmd = new Command('list')
    .description('list topic names, one per line')
    .option('--internal', 'include internal topics (names starting with "__")')
    .action(async (o: { internal?: boolean }) => {
      const names = await ctx
        .client()
        .admin()
        .listTopics({ includeInternal: o.internal ?? false });
      ctx.print({ topics: names }, (d) => d.topics.join('\n'));
    });
  return outputSchema(cmd, s.object({ topics: s.array(s.string()) }));
}

function describe(ctx: CommandContext): Command {
  const cmd = new Command('describe')
    .description('partitions, leaders, epochs, replicas, ISR')
    .argument('[name]', 'only this topic (default: every topic)')
    .addHelpText(
      'after',
      `
Prints each topic (or only NAME) with its settings, and per partition the leader, leader epoch,
replicas and in-sync replicas (ISR). A partition whose ISR is smaller than its replica set is
marked under-replicated; one without a leader is marked offline.`,
    )
    .action(async (name: string | undefined) => {
      const topics = await ctx
        .client()
        .admin()
        .describeTopics(name ? [name] : []);
      ctx.print({ topics: topics.map(topicOutput) }, (d) => d.topics.map(formatTopic).join('\n\n'));
    });
  return outputSchema(cmd, s.object({ topics: s.array(TOPIC_SCHEMA) }));
}

function remove(ctx: CommandContext): Command {
  const cmd = new Command('delete')
    .description('delete a topic and its data')
    .argument('<name>')
    .addHelpText('after', '\nDeletes the topic and, on every broker, its data.')
    .action(async (name: string) => {
      await ctx.client().admin().deleteTopic(name);
      ctx.print({ deleted: name }, (d) => `deleted topic ${d.deleted}`);
    });
  return outputSchema(cmd, s.object({ deleted: s.string('the topic name') }));
}

function alter(ctx: CommandContext): Command {
  const cmd = new Command('alter')
    .description("change a topic's settings")
    .argument('<name>')
    .option('--config <key=value>', `setting to change; repeat for several. ${CONFIG_KEYS}`, collect)
    .addHelpText(
      'after',
      `
The other settings keep their values. Brokers apply retention and segment settings to open logs at once.

Example: samsa topics alter orders --config retention.ms=3600000 --config min.insync.replicas=2`,
    )
    .action(async (name: string, o: { config?: string[] }) => {
      const config = configEntries(o.config);
      if (Object.keys(config).length === 0) throw new UsageError('give at least one --config KEY=VALUE to change');
      const topic = topicOutput(await ctx.client().admin().alterTopicConfig(name, config));
      ctx.print(
        topic,
        (t) =>
          `altered topic ${t.name}: ${Object.keys(config)
            .map((k) => `${k}=${t.config[k] ?? config[k]}`)
            .join(' ')}`,
      );
    });
  return outputSchema(cmd, TOPIC_SCHEMA);
}

function addPartitions(ctx: CommandContext): Command {
  const cmd = new Command('add-partitions')
    .description('grow a topic to N partitions in all')
    .argument('<name>')
    .requiredOption('--partitions <n>', 'the new total number of partitions (larger than now)', int(1))
    .addHelpText(
      'after',
      `
Partitions are never removed. New partitions are placed on live brokers like at creation. Keys hash
over the new count from then on, so a key's records written before and after may sit in different
partitions.

Example: samsa topics add-partitions orders --partitions 12`,
    )
    .action(async (name: string, o: { partitions: number }) => {
      const topic = topicOutput(await ctx.client().admin().createPartitions(name, o.partitions));
      ctx.print(topic, (t) => `topic ${t.name} now has ${plural(t.partitions.length, 'partition')}`);
    });
  return outputSchema(cmd, TOPIC_SCHEMA);
}

export const topicsCommand: CommandModule = (ctx) =>
  commandGroup('topics', 'create, list, describe, alter and delete topics')
    .addCommand(create(ctx))
    .addCommand(list(ctx))
    .addCommand(describe(ctx))
    .addCommand(alter(ctx))
    .addCommand(addPartitions(ctx))
    .addCommand(remove(ctx));

/** A topic as `topics describe` prints it. */
export function formatTopic(t: TopicOutput): string {
  const config = Object.entries(t.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const head = `Topic: ${t.name}  id: ${t.topicId}  partitions: ${t.partitions.length}  replication-factor: ${t.replicationFactor}`;
  const rows = t.partitions.map((p) => {
    const marks: string[] = [];
    if (p.offline) marks.push('offline');
    if (p.underReplicated) marks.push('under-replicated');
    return [
      String(p.partition),
      p.leader === null ? 'none' : String(p.leader),
      String(p.leaderEpoch),
      p.replicas.join(','),
      p.isr.join(','),
      marks.join(' '),
    ];
  });
  const body = table(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'STATUS'], rows)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return [head, ...(config ? [`  config: ${config}`] : []), body].join('\n');
}

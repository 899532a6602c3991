/** `samsa topics create|list|describe|delete|alter|add-partitions`. */
import type { Samsa, TopicMetadata } from '../../libs/client/index.js';
import { topicConfigEntries } from '../../libs/client/index.js';
import {
  TOPICS_ADD_PARTITIONS_HELP,
  TOPICS_ALTER_HELP,
  TOPICS_CREATE_HELP,
  TOPICS_DELETE_HELP,
  TOPICS_DESCRIBE_HELP,
  TOPICS_HELP,
  TOPICS_LIST_HELP,
} from '../help.js';
import { table } from '../output.js';
import { UsageError, intFlag, parseCommand, positionals } from '../usage.js';

const SUBCOMMANDS = 'create, list, describe, delete, alter, add-partitions';

export interface Io {
  stdout: (text: string) => void;
}

export async function topicsCommand(sub: string | undefined, args: string[], client: () => Samsa, io: Io): Promise<void> {
  switch (sub) {
    case 'create':
      return create(args, client, io);
    case 'list':
      return list(args, client, io);
    case 'describe':
      return describe(args, client, io);
    case 'delete':
      return remove(args, client, io);
    case 'alter':
      return alter(args, client, io);
    case 'add-partitions':
      return addPartitions(args, client, io);
    case undefined:
      throw new UsageError(`missing topics subcommand (${SUBCOMMANDS})`, TOPICS_HELP);
    default:
      throw new UsageError(`unknown topics subcommand "${sub}" (${SUBCOMMANDS})`, TOPICS_HELP);
  }
}

async function create(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(
    args,
    { partitions: { type: 'string' }, 'replication-factor': { type: 'string' }, config: { type: 'string', multiple: true } },
    TOPICS_CREATE_HELP,
  );
  if (parsed.values.help) return io.stdout(TOPICS_CREATE_HELP);
  const [name] = positionals(parsed, ['NAME'], TOPICS_CREATE_HELP);
  const partitions = intFlag(parsed.values.partitions, 'partitions', TOPICS_CREATE_HELP, 1, 1);
  const replicationFactor = intFlag(parsed.values['replication-factor'], 'replication-factor', TOPICS_CREATE_HELP, 1, 1);
  const config = configEntries(parsed.values.config, TOPICS_CREATE_HELP);
  const topic = await client().admin().createTopic({ name: name as string, partitions, replicationFactor, config });
  io.stdout(`created topic ${topic.name} with ${topic.partitions.length} partitions, replication factor ${topic.replicationFactor}`);
}

function configEntries(entries: readonly string[] | undefined, help: string): Record<string, string> {
  const config: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--config takes KEY=VALUE, got "${entry}"`, help);
    config[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return config;
}

async function alter(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, { config: { type: 'string', multiple: true } }, TOPICS_ALTER_HELP);
  if (parsed.values.help) return io.stdout(TOPICS_ALTER_HELP);
  const [name] = positionals(parsed, ['NAME'], TOPICS_ALTER_HELP);
  const config = configEntries(parsed.values.config, TOPICS_ALTER_HELP);
  if (Object.keys(config).length === 0) throw new UsageError('give at least one --config KEY=VALUE to change', TOPICS_ALTER_HELP);
  const topic = await client().admin().alterTopicConfig(name as string, config);
  const now = topicConfigEntries(topic.config);
  io.stdout(`altered topic ${topic.name}: ${Object.keys(config).map((k) => `${k}=${now[k] ?? config[k]}`).join(' ')}`);
}

async function addPartitions(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, { partitions: { type: 'string' } }, TOPICS_ADD_PARTITIONS_HELP);
  if (parsed.values.help) return io.stdout(TOPICS_ADD_PARTITIONS_HELP);
  const [name] = positionals(parsed, ['NAME'], TOPICS_ADD_PARTITIONS_HELP);
  if (parsed.values.partitions === undefined) throw new UsageError('--partitions N (the new total) is required', TOPICS_ADD_PARTITIONS_HELP);
  const total = intFlag(parsed.values.partitions, 'partitions', TOPICS_ADD_PARTITIONS_HELP, 1, 1);
  const topic = await client().admin().createPartitions(name as string, total);
  io.stdout(`topic ${topic.name} now has ${topic.partitions.length} partitions`);
}

async function list(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, { internal: { type: 'boolean' } }, TOPICS_LIST_HELP);
  if (parsed.values.help) return io.stdout(TOPICS_LIST_HELP);
  positionals(parsed, [], TOPICS_LIST_HELP);
  const names = await client().admin().listTopics({ includeInternal: parsed.values.internal ?? false });
  if (names.length > 0) io.stdout(names.join('\n'));
}

async function describe(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, TOPICS_DESCRIBE_HELP);
  if (parsed.values.help) return io.stdout(TOPICS_DESCRIBE_HELP);
  const [name] = positionals(parsed, ['NAME'], TOPICS_DESCRIBE_HELP, 1);
  const topics = await client().admin().describeTopics(name ? [name] : []);
  io.stdout(topics.map(formatTopic).join('\n\n'));
}

async function remove(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, TOPICS_DELETE_HELP);
  if (parsed.values.help) return io.stdout(TOPICS_DELETE_HELP);
  const [name] = positionals(parsed, ['NAME'], TOPICS_DELETE_HELP);
  await client().admin().deleteTopic(name as string);
  io.stdout(`deleted topic ${name}`);
}

/** A topic as `topics describe` prints it. */
export function formatTopic(t: TopicMetadata): string {
  const config = Object.entries(topicConfigEntries(t.config))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const head = `Topic: ${t.name}  id: ${t.topicId}  partitions: ${t.partitions.length}  replication-factor: ${t.replicationFactor}`;
  const rows = t.partitions.map((p) => {
    const marks: string[] = [];
    if (p.leaderId < 0) marks.push('offline');
    if (p.isr.length < p.replicas.length) marks.push('under-replicated');
    return [String(p.partition), p.leaderId < 0 ? 'none' : String(p.leaderId), String(p.leaderEpoch), p.replicas.join(','), p.isr.join(','), marks.join(' ')];
  });
  const body = table(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'STATUS'], rows)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return [head, ...(config ? [`  config: ${config}`] : []), body].join('\n');
}

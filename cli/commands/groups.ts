/** `samsa groups list|describe|lag|reset-offsets|delete`. */
import type { GroupOffset, Samsa } from '../../libs/client/index.js';
import { parseOffsetSpec } from '../../libs/client/index.js';
import { GROUPS_HELP, GROUPS_LAG_HELP, GROUPS_RESET_HELP } from '../help.js';
import { table } from '../output.js';
import { UsageError, intFlag, parseCommand, positionals } from '../usage.js';
import type { Io } from './topics.js';

export async function groupsCommand(sub: string | undefined, args: string[], client: () => Samsa, io: Io): Promise<void> {
  switch (sub) {
    case 'list':
      return list(args, client, io);
    case 'describe':
      return describe(args, client, io);
    case 'lag':
      return lag(args, client, io);
    case 'reset-offsets':
      return reset(args, client, io);
    case 'delete':
      return remove(args, client, io);
    case undefined:
      throw new UsageError('missing groups subcommand (list, describe, lag, reset-offsets, delete)', GROUPS_HELP);
    default:
      throw new UsageError(`unknown groups subcommand "${sub}" (list, describe, lag, reset-offsets, delete)`, GROUPS_HELP);
  }
}

async function list(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, GROUPS_HELP);
  if (parsed.values.help) return io.stdout(GROUPS_HELP);
  positionals(parsed, [], GROUPS_HELP);
  const groups = await client().groups().list();
  io.stdout(table(['GROUP', 'STATE', 'MEMBERS'], groups.map((g) => [g.groupId, g.state, String(g.members)])));
}

function offsetRows(offsets: readonly GroupOffset[]): string[][] {
  const n = (x: number): string => (x < 0 ? '-' : String(x));
  return offsets.map((o) => [o.topic, String(o.partition), n(o.offset), n(o.highWatermark), n(o.lag)]);
}

async function describe(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, GROUPS_HELP);
  if (parsed.values.help) return io.stdout(GROUPS_HELP);
  const [groupId] = positionals(parsed, ['GROUP'], GROUPS_HELP) as [string];
  const d = await client().groups().describe(groupId);
  io.stdout(`group ${d.groupId}: ${d.state}, generation ${d.generation}, assignor ${d.assignor.replace('ASSIGNOR_', '').toLowerCase()}, ${d.members.length} member(s)`);
  if (d.members.length > 0) {
    io.stdout(
      table(
        ['MEMBER', 'INSTANCE', 'CLIENT', 'PARTITIONS'],
        d.members.map((m) => [m.memberId, m.groupInstanceId ?? '-', m.clientHost, m.partitions.map((p) => `${p.topic}[${p.partitions.join(',')}]`).join(' ') || '-']),
      ),
    );
  }
  if (d.offsets.length > 0) io.stdout(table(['TOPIC', 'PARTITION', 'COMMITTED', 'HIGH-WATERMARK', 'LAG'], offsetRows(d.offsets)));
}

/** What `groups lag` says of one group: its committed lag summed over the partitions it has offsets for. */
export interface GroupLagSummary {
  partitions: number;
  /** Sum of the known lags. */
  total: number;
  /** Partitions whose lag is unknown (no committed offset, or the high watermark not known yet). */
  unknown: number;
  /** The partition furthest behind, undefined when no lag is known. */
  worst: { topic: string; partition: number; lag: number } | undefined;
}

export function summarizeLag(offsets: readonly GroupOffset[]): GroupLagSummary {
  let total = 0;
  let unknown = 0;
  let worst: GroupLagSummary['worst'];
  for (const o of offsets) {
    if (o.lag < 0) {
      unknown++;
      continue;
    }
    total += o.lag;
    if (!worst || o.lag > worst.lag) worst = { topic: o.topic, partition: o.partition, lag: o.lag };
  }
  return { partitions: offsets.length, total, unknown, worst };
}

async function lag(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, GROUPS_LAG_HELP);
  if (parsed.values.help) return io.stdout(GROUPS_LAG_HELP);
  const groups = client().groups();
  const named = parsed.positionals;
  if (named.length === 1) {
    const [groupId] = named as [string];
    const offsets = await groups.fetchOffsets(groupId);
    if (offsets.length > 0) io.stdout(table(['TOPIC', 'PARTITION', 'COMMITTED', 'HIGH-WATERMARK', 'LAG'], offsetRows(offsets)));
    const s = summarizeLag(offsets);
    io.stdout(`group ${groupId}: total lag ${s.total} over ${s.partitions} partition(s)${s.unknown > 0 ? `, ${s.unknown} unknown` : ''}`);
    return;
  }
  const ids = named.length > 0 ? named : (await groups.list()).map((g) => g.groupId).sort();
  const rows: string[][] = [];
  for (const groupId of ids) {
    const s = summarizeLag(await groups.fetchOffsets(groupId));
    rows.push([groupId, String(s.partitions), String(s.total), s.worst ? `${s.worst.topic}/${s.worst.partition} (${s.worst.lag})` : '-', String(s.unknown)]);
  }
  io.stdout(rows.length > 0 ? table(['GROUP', 'PARTITIONS', 'TOTAL-LAG', 'MOST-BEHIND', 'UNKNOWN'], rows) : 'no consumer groups');
}

async function reset(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, { topic: { type: 'string' }, to: { type: 'string' }, partition: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' } }, GROUPS_RESET_HELP);
  if (parsed.values.help) return io.stdout(GROUPS_RESET_HELP);
  const [groupId] = positionals(parsed, ['GROUP'], GROUPS_RESET_HELP) as [string];
  const topic = parsed.values.topic;
  if (!topic) throw new UsageError('--topic is required', GROUPS_RESET_HELP);
  if (!parsed.values.to) throw new UsageError('--to is required', GROUPS_RESET_HELP);
  let to;
  try {
    to = parseOffsetSpec(parsed.values.to);
  } catch (err) {
    throw new UsageError(`--to: ${err instanceof Error ? err.message : String(err)}`, GROUPS_RESET_HELP);
  }
  const partitions = (parsed.values.partition ?? []).map((p) => intFlag(p, 'partition', GROUPS_RESET_HELP));
  const dryRun = parsed.values['dry-run'] ?? false;
  const offsets = await client().groups().resetOffsets({ groupId, topic, to, partitions, dryRun });
  io.stdout(table(['TOPIC', 'PARTITION', 'NEW-OFFSET', 'HIGH-WATERMARK', 'LAG'], offsetRows(offsets)));
  io.stdout(dryRun ? '(dry run: nothing changed)' : `reset ${offsets.length} partition(s) of group ${groupId}`);
}

async function remove(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, GROUPS_HELP);
  if (parsed.values.help) return io.stdout(GROUPS_HELP);
  const [groupId] = positionals(parsed, ['GROUP'], GROUPS_HELP) as [string];
  await client().groups().delete(groupId);
  io.stdout(`deleted group ${groupId}`);
}

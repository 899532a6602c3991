/** `samsa groups list|describe|lag|reset-offsets|delete`. */
import { Command } from 'commander';
import type { GroupOffset } from '../../libs/client/index.js';
import { parseOffsetSpec } from '../../libs/client/index.js';
import type { CommandContext, CommandModule } from '../context.js';
import { plural, table } from '../output.js';
import { outputSchema, s, type JsonSchema } from '../schema.js';
import { UsageError, commandGroup, int } from '../usage.js';

/** A partition's committed offset as -o json prints it; null where Samsa says -1 (unknown, none). */
export interface OffsetOutput {
  topic: string;
  partition: number;
  committed: number | null;
  highWatermark: number | null;
  lag: number | null;
  metadata: string;
}

const OFFSET_SCHEMA = s.object({
  topic: s.string(),
  partition: s.integer(),
  committed: s.nullable(s.integer('the next offset the group will read; null when nothing is committed')),
  highWatermark: s.nullable(s.integer('null when not known yet')),
  lag: s.nullable(s.integer('highWatermark - committed; null when either is unknown')),
  metadata: s.string('as the committer gave it'),
});

const known = (n: number): number | null => (n < 0 ? null : n);

export function offsetOutput(o: GroupOffset): OffsetOutput {
  return {
    topic: o.topic,
    partition: o.partition,
    committed: known(o.offset),
    highWatermark: known(o.highWatermark),
    lag: known(o.lag),
    metadata: o.metadata,
  };
}

function offsetTable(offsets: readonly OffsetOutput[], committed = 'COMMITTED'): string {
  const n = (x: number | null): string => (x === null ? '-' : String(x));
  return table(
    ['TOPIC', 'PARTITION', committed, 'HIGH-WATERMARK', 'LAG'],
    offsets.map((o) => [o.topic, String(o.partition), n(o.committed), n(o.highWatermark), n(o.lag)]),
  );
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

function list(ctx: CommandContext): Command {
  const cmd = new Command('list').description('consumer groups and their state').action(async () => {
    const groups = await ctx.client().groups().list();
    ctx.print({ groups: groups.map((g) => ({ groupId: g.groupId, state: g.state, members: g.members })) }, (d) =>
      table(
        ['GROUP', 'STATE', 'MEMBERS'],
        d.groups.map((g) => [g.groupId, g.state, String(g.members)]),
      ),
    );
  });
  return outputSchema(
    cmd,
    s.object({ groups: s.array(s.object({ groupId: s.string(), state: s.string(), members: s.integer('number of members') })) }),
  );
}

const ASSIGNMENT_SCHEMA: JsonSchema = s.array(s.object({ topic: s.string(), partitions: s.array(s.integer()) }));

function describe(ctx: CommandContext): Command {
  const cmd = new Command('describe')
    .description("members, assignments, committed offsets and lag of a group; a share group's in-flight, acked and dead-lettered records")
    .argument('<group>')
    .action(async (groupId: string) => {
      const d = await ctx.client().groups().describe(groupId);
      const data = {
        groupId: d.groupId,
        state: d.state,
        generation: d.generation,
        assignor: d.assignor.replace('ASSIGNOR_', '').toLowerCase(),
        members: d.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientHost: m.clientHost,
          assignment: m.partitions.map((p) => ({ topic: p.topic, partitions: [...p.partitions] })),
        })),
        offsets: d.offsets.map(offsetOutput),
        share: d.share ?? null,
      };
      ctx.print(data, (g) => {
        const lines = g.share
          ? [
              `share group ${g.groupId}: ${plural(g.share.members, 'member')}, ${g.share.inFlight} in flight, ${g.share.available} available, ` +
                `${g.share.acked} acked, ${g.share.deadLettered} dead-lettered`,
            ]
          : [`group ${g.groupId}: ${g.state}, generation ${g.generation}, assignor ${g.assignor}, ${plural(g.members.length, 'member')}`];
        if (g.members.length > 0) {
          lines.push(
            table(
              ['MEMBER', 'INSTANCE', 'CLIENT', 'PARTITIONS'],
              g.members.map((m) => [
                m.memberId,
                m.groupInstanceId ?? '-',
                m.clientHost,
                m.assignment.map((p) => `${p.topic}[${p.partitions.join(',')}]`).join(' ') || '-',
              ]),
            ),
          );
        }
        if (g.offsets.length > 0) lines.push(offsetTable(g.offsets));
        return lines.join('\n');
      });
    });
  return outputSchema(
    cmd,
    s.object({
      groupId: s.string(),
      state: s.string(),
      generation: s.integer(),
      assignor: s.string('sticky, range or roundrobin'),
      members: s.array(
        s.object({
          memberId: s.string(),
          groupInstanceId: s.nullable(s.string('static membership id')),
          clientHost: s.string(),
          assignment: ASSIGNMENT_SCHEMA,
        }),
      ),
      offsets: s.array(OFFSET_SCHEMA),
      share: s.nullable(
        s.object({
          members: s.integer('share members connected'),
          inFlight: s.integer('delivered, not answered yet'),
          available: s.integer('read by the coordinator, waiting for a member'),
          acked: s.integer('since the group was created'),
          deadLettered: s.integer('since the group was created'),
        }),
      ),
    }),
  );
}

function lag(ctx: CommandContext): Command {
  const cmd = new Command('lag')
    .description('total lag per group and the partition most behind')
    .argument('[group...]', 'groups to show (default: every group)')
    .addHelpText(
      'after',
      `
The lag of a partition is its high watermark minus the group's committed offset: the records the
group has not yet committed as processed.

  groups lag             every group: partitions with offsets, total lag, the partition most behind
  groups lag G1 G2       the same for these groups
  groups lag GROUP       one group, partition by partition, then its total

A lag shown as - (null in JSON) is unknown (nothing committed there, or the high watermark not
known yet); it is left out of the total and counted under UNKNOWN.`,
    )
    .action(async (named: string[]) => {
      const groups = ctx.client().groups();
      const ids = named.length > 0 ? named : (await groups.list()).map((g) => g.groupId).sort();
      const rows = [];
      for (const groupId of ids) {
        const offsets = await groups.fetchOffsets(groupId);
        const sum = summarizeLag(offsets);
        rows.push({
          groupId,
          partitions: sum.partitions,
          totalLag: sum.total,
          unknown: sum.unknown,
          mostBehind: sum.worst ?? null,
          offsets: offsets.map(offsetOutput),
        });
      }
      ctx.print({ groups: rows }, (d) => {
        const [only] = d.groups;
        if (named.length === 1 && only) {
          const head = only.offsets.length > 0 ? [offsetTable(only.offsets)] : [];
          return [
            ...head,
            `group ${only.groupId}: total lag ${only.totalLag} over ${plural(only.partitions, 'partition')}${only.unknown > 0 ? `, ${only.unknown} unknown` : ''}`,
          ].join('\n');
        }
        if (d.groups.length === 0) return 'no consumer groups';
        return table(
          ['GROUP', 'PARTITIONS', 'TOTAL-LAG', 'MOST-BEHIND', 'UNKNOWN'],
          d.groups.map((g) => [
            g.groupId,
            String(g.partitions),
            String(g.totalLag),
            g.mostBehind ? `${g.mostBehind.topic}/${g.mostBehind.partition} (${g.mostBehind.lag})` : '-',
            String(g.unknown),
          ]),
        );
      });
    });
  return outputSchema(
    cmd,
    s.object({
      groups: s.array(
        s.object({
          groupId: s.string(),
          partitions: s.integer('partitions the group has offsets for'),
          totalLag: s.integer('sum of the known lags'),
          unknown: s.integer('partitions whose lag is unknown'),
          mostBehind: s.nullable(s.object({ topic: s.string(), partition: s.integer(), lag: s.integer() })),
          offsets: s.array(OFFSET_SCHEMA),
        }),
      ),
    }),
  );
}

function resetOffsets(ctx: CommandContext): Command {
  const cmd = new Command('reset-offsets')
    .description("set a stopped group's committed offsets")
    .argument('<group>')
    .requiredOption('--topic <topic>', 'the topic whose offsets to set')
    .requiredOption('--to <position>', 'earliest, latest, an offset, or @TIME (ms since the epoch or an ISO 8601 date)')
    .option(
      '--partition <p>',
      'only partition P; repeat for several (default every partition)',
      (v: string, prev: number[] | undefined) => [...(prev ?? []), int(0)(v)],
    )
    .option('--dry-run', 'print what would be set, change nothing')
    .addHelpText('after', '\nThe group must have no active members: stop its consumers first.')
    .action(async (groupId: string, o: { topic: string; to: string; partition?: number[]; dryRun?: boolean }) => {
      let to;
      try {
        to = parseOffsetSpec(o.to);
      } catch (err) {
        throw new UsageError(`--to: ${err instanceof Error ? err.message : String(err)}`);
      }
      const dryRun = o.dryRun ?? false;
      const offsets = await ctx
        .client()
        .groups()
        .resetOffsets({ groupId, topic: o.topic, to, partitions: o.partition ?? [], dryRun });
      ctx.print({ groupId, topic: o.topic, dryRun, offsets: offsets.map(offsetOutput) }, (d) =>
        [
          offsetTable(d.offsets, 'NEW-OFFSET'),
          dryRun ? '(dry run: nothing changed)' : `reset ${plural(d.offsets.length, 'partition')} of group ${groupId}`,
        ].join('\n'),
      );
    });
  return outputSchema(
    cmd,
    s.object({
      groupId: s.string(),
      topic: s.string(),
      dryRun: s.boolean(),
      offsets: s.array(OFFSET_SCHEMA, 'the offsets as set (or as they would be, with --dry-run)'),
    }),
  );
}

function remove(ctx: CommandContext): Command {
  const cmd = new Command('delete')
    .description('delete a group without members and its offsets')
    .argument('<group>')
    .action(async (groupId: string) => {
      await ctx.client().groups().delete(groupId);
      ctx.print({ deleted: groupId }, (d) => `deleted group ${d.deleted}`);
    });
  return outputSchema(cmd, s.object({ deleted: s.string('the group id') }));
}

export const groupsCommand: CommandModule = (ctx) =>
  commandGroup('groups', 'consumer groups: list, describe, lag, reset offsets, delete')
    .addHelpText('after', '\nConsumer groups live on the group coordinators; any broker tells where.')
    .addCommand(list(ctx))
    .addCommand(describe(ctx))
    .addCommand(lag(ctx))
    .addCommand(resetOffsets(ctx))
    .addCommand(remove(ctx));

/**
 * `samsa partitions elect-leaders|reassign|rebalance` and `samsa brokers drain|undrain`: leader elections
 * and moving partitions between brokers (docs/operations.md, docs/adr/0042).
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import {
  parsePlan,
  planDrain,
  planMoveTo,
  planRebalance,
  type Admin,
  type ElectionResult,
  type PartitionAssignment,
  type PartitionReassignment,
  type PlanBroker,
  type ReplicaCopyProgress,
} from '../../libs/client/index.js';
import { sleep } from '../../libs/runtime/index.js';
import type { CommandContext, CommandModule } from '../context.js';
import { plural, table } from '../output.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, commandGroup, int } from '../usage.js';

const BROKERS = s.array(s.integer());

const REASSIGNMENT_SCHEMA = s.object(
  {
    topic: s.string(),
    partition: s.integer(),
    targetReplicas: s.array(s.integer(), 'what the partition ends with, preferred leader first'),
    originalReplicas: s.array(s.integer(), 'what it had when the move began'),
    replicas: s.array(s.integer(), 'hosted now: the target, then the replicas being removed'),
    addingReplicas: s.array(s.integer(), 'copying the log (throttled)'),
    removingReplicas: s.array(s.integer(), 'removed once every target replica is in sync'),
    isr: BROKERS,
    leader: s.nullable(s.integer()),
    throttleBytesPerSecond: s.integer(),
    startedAtMs: s.integer(),
    copying: s.array(
      s.object({
        broker: s.integer(),
        copiedBytes: s.nullable(s.integer('bytes of log this adding replica holds (null: not open there yet, or no answer)')),
        leaderBytes: s.nullable(s.integer('bytes of log the leader holds (null: no answer)')),
        logEndOffset: s.nullable(s.integer()),
        leaderLogEndOffset: s.nullable(s.integer()),
        inSync: s.boolean(),
      }),
      'with --status: how far each adding replica has copied the leader, from the brokers themselves',
    ),
  },
  ['copying'],
);

/** The SDK's reassignment with the leader as JSON readers expect it: null when there is none. */
type ReassignmentOutput = Omit<PartitionReassignment, 'leaderId'> & { leader: number | null; copying?: CopyingOutput[] };

interface CopyingOutput {
  broker: number;
  copiedBytes: number | null;
  leaderBytes: number | null;
  logEndOffset: number | null;
  leaderLogEndOffset: number | null;
  inSync: boolean;
}

function copyingOutput(p: ReplicaCopyProgress): CopyingOutput {
  return {
    broker: p.brokerId,
    copiedBytes: p.copiedBytes ?? null,
    leaderBytes: p.leaderBytes ?? null,
    logEndOffset: p.logEndOffset ?? null,
    leaderLogEndOffset: p.leaderLogEndOffset ?? null,
    inSync: p.inSync,
  };
}

/** "4(copying 1.2 of 3.5 MB, 34%)", "4(in sync)", or "4(copying)" when the brokers did not say. */
function addingText(b: number, r: ReassignmentOutput): string {
  if (r.isr.includes(b)) return `${b}(in sync)`;
  const c = r.copying?.find((x) => x.broker === b);
  if (!c || c.copiedBytes === null || c.leaderBytes === null) return `${b}(copying)`;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const pct = c.leaderBytes > 0 ? Math.min(100, Math.floor((c.copiedBytes / c.leaderBytes) * 100)) : 100;
  return `${b}(copying ${mb(c.copiedBytes)} of ${mb(c.leaderBytes)} MB, ${pct}%)`;
}

function reassignmentOutput(r: PartitionReassignment): ReassignmentOutput {
  const { leaderId, ...rest } = r;
  return { ...rest, leader: leaderId < 0 ? null : leaderId };
}

function reassignmentsText(list: readonly ReassignmentOutput[]): string {
  if (list.length === 0) return 'no reassignment in progress';
  const rows = list.map((r) => {
    return [
      `${r.topic}-${r.partition}`,
      r.originalReplicas.join(','),
      r.targetReplicas.join(','),
      r.addingReplicas.map((b) => addingText(b, r)).join(','),
      r.removingReplicas.join(','),
      r.isr.join(','),
      r.leader === null ? 'none' : String(r.leader),
    ];
  });
  return [
    `${plural(list.length, 'reassignment')} in progress`,
    table(['PARTITION', 'FROM', 'TO', 'ADDING', 'REMOVING', 'ISR', 'LEADER'], rows),
  ].join('\n');
}

const MOVE_SCHEMA = s.object({
  dryRun: s.boolean('true: the plan was only checked and printed, nothing moved'),
  plan: s.array(s.object({ topic: s.string(), partition: s.integer(), replicas: BROKERS })),
  reassignments: s.array(REASSIGNMENT_SCHEMA, 'the moves as recorded (empty with --dry-run, or once finished with --wait)'),
});

interface MoveOutput {
  dryRun: boolean;
  plan: PartitionAssignment[];
  reassignments: ReassignmentOutput[];
}

function moveText(o: MoveOutput): string {
  if (o.plan.length === 0) return 'nothing to move';
  const plan = table(
    ['PARTITION', 'REPLICAS'],
    o.plan.map((p) => [`${p.topic}-${p.partition}`, p.replicas.join(',')]),
  );
  const head = o.dryRun
    ? `would move ${plural(o.plan.length, 'partition')} (dry run; nothing moved)`
    : o.reassignments.length > 0
      ? `moving ${plural(o.plan.length, 'partition')}; follow with: samsa partitions reassign --status`
      : `moved ${plural(o.plan.length, 'partition')}`;
  return `${head}\n${plan}`;
}

interface MoveOptions {
  throttle?: number;
  dryRun?: boolean;
  wait?: boolean;
}

function addMoveOptions(cmd: Command): Command {
  return cmd
    .option(
      '--throttle <bytes-per-sec>',
      "replication throttle of the replicas being added, per receiving broker (default: the controller's)",
      int(1024),
    )
    .option('--dry-run', 'check and print the plan; move nothing')
    .option('--wait', 'wait until every move has finished');
}

/** Submits `plan` (or only checks it), then with --wait polls until none of its partitions is still moving. */
async function submit(ctx: CommandContext, plan: PartitionAssignment[], o: MoveOptions): Promise<MoveOutput> {
  const admin = ctx.client().admin();
  if (plan.length === 0) return { dryRun: o.dryRun ?? false, plan, reassignments: [] };
  const recorded = await admin.alterPartitionReassignments(plan, {
    throttleBytesPerSecond: o.throttle ?? 0,
    validateOnly: o.dryRun ?? false,
  });
  if (o.dryRun) return { dryRun: true, plan, reassignments: [] };
  let moving = recorded;
  while (o.wait && moving.length > 0) {
    await sleep(500);
    const mine = new Set(plan.map((p) => `${p.topic}-${p.partition}`));
    moving = (await admin.listPartitionReassignments()).filter((r) => mine.has(`${r.topic}-${r.partition}`));
  }
  return { dryRun: false, plan, reassignments: moving.map(reassignmentOutput) };
}

/** Every partition's replicas (internal topics included: they live on brokers too). */
async function assignments(admin: Admin, topic?: string): Promise<PartitionAssignment[]> {
  if (topic === undefined) {
    const names = await admin.listTopics({ includeInternal: true });
    if (names.length === 0) return [];
    return (await admin.describeTopics(names)).flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: [...p.replicas] })),
    );
  }
  const [t] = await admin.describeTopics([topic]);
  return (t?.partitions ?? []).map((p) => ({ topic, partition: p.partition, replicas: [...p.replicas] }));
}

/** The live brokers new replicas may go to: registered and not being drained. */
async function liveBrokers(admin: Admin): Promise<PlanBroker[]> {
  const [cluster, draining] = await Promise.all([admin.describeCluster(), admin.drainBrokers([])]);
  return cluster.brokers.filter((b) => !draining.includes(b.id)).map((b) => ({ id: b.id, rack: b.rack }));
}

function brokerList(value: string): number[] {
  const ids = value.split(',').map((v) => Number(v.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 0))
    throw new UsageError(`--to-brokers takes broker ids like 2,3,4, got "${value}"`);
  return ids;
}

function electLeaders(ctx: CommandContext): Command {
  const cmd = new Command('elect-leaders')
    .description('move leadership back to the preferred replicas')
    .option('--topic <name>', 'only this topic (default: every topic)')
    .option('--partition <n>', 'only this partition of --topic', int(0))
    .option('--unclean', 'elect an out-of-sync replica where no in-sync replica is alive: records only the dead replicas held are LOST')
    .addHelpText(
      'after',
      `
A preferred election moves leadership of each partition to its first replica when that broker is
alive and the replica is in sync; the ISR does not change. Partitions where it cannot be done now are
listed with the reason. The controller also does this by itself when a broker leads fewer than
90% of the partitions it is preferred for (SAMSA_LEADER_IMBALANCE_PERCENT, default 10).

Example: samsa partitions elect-leaders --topic orders`,
    )
    .action(async (o: { topic?: string; partition?: number; unclean?: boolean }) => {
      if (o.partition !== undefined && o.topic === undefined) throw new UsageError('--partition needs --topic');
      const refs = o.topic === undefined ? [] : [{ topic: o.topic, partitions: o.partition === undefined ? [] : [o.partition] }];
      const results = await ctx
        .client()
        .admin()
        .electLeaders(o.unclean ? 'unclean' : 'preferred', refs);
      const out = results.map(({ leaderId, ...r }) => ({ ...r, leader: leaderId < 0 ? null : leaderId }));
      ctx.print({ results: out }, (d) => electionText(d.results));
    });
  return outputSchema(
    cmd,
    s.object({
      results: s.array(
        s.object({
          topic: s.string(),
          partition: s.integer(),
          outcome: s.string('what happened', ['elected', 'not-needed', 'not-available']),
          leader: s.nullable(s.integer('the leader after the election')),
          message: s.string('why, when not available'),
        }),
      ),
    }),
  );
}

function electionText(results: readonly (Omit<ElectionResult, 'leaderId'> & { leader: number | null })[]): string {
  const elected = results.filter((r) => r.outcome === 'elected').length;
  const unavailable = results.filter((r) => r.outcome === 'not-available');
  const lines = [
    `elected ${plural(elected, 'leader')}; ${results.length - elected - unavailable.length} already led by the preferred replica`,
  ];
  if (unavailable.length > 0)
    lines.push(
      table(
        ['PARTITION', 'LEADER', 'NOT DONE BECAUSE'],
        unavailable.map((r) => [`${r.topic}-${r.partition}`, r.leader === null ? 'none' : String(r.leader), r.message]),
      ),
    );
  return lines.join('\n');
}

function reassign(ctx: CommandContext): Command {
  const cmd = addMoveOptions(
    new Command('reassign')
      .description('move partitions to other brokers; --status shows the moves')
      .argument('[plan-file]', 'JSON plan: {"partitions": [{"topic": "t", "partition": 0, "replicas": [2, 3, 4]}]} (Kafka\'s format)')
      .option('--topic <name>', 'generate the plan for this topic (with --to-brokers or --replication-factor)')
      .option('--to-brokers <ids>', 'with --topic: move every partition onto these brokers, e.g. 2,3,4', brokerList)
      .option('--replication-factor <n>', 'with --topic: change its replication factor (a reassignment)', int(1))
      .option('--status', 'show the moves in progress (of --topic, or all) and exit')
      .addOption(
        new Option('--cancel', 'cancel the moves in progress (of --topic, or all): added replicas are removed again').conflicts(['status']),
      ),
  ).addHelpText(
    'after',
    `
A move first adds the new replicas (they copy the log, at most --throttle bytes per second per
receiving broker, and join the ISR once caught up), then moves leadership if the leader is leaving,
then removes the old replicas, whose brokers delete their copy. The move lives in the partition's
state in etcd: a controller failover resumes it. It never leaves fewer in-sync replicas than the
target replica count.

Examples:
  samsa partitions reassign --topic orders --to-brokers 2,3,4 --throttle 10485760
  samsa partitions reassign plan.json --wait
  samsa partitions reassign --topic orders --replication-factor 3
  samsa partitions reassign --status`,
  );
  cmd.action(
    async (
      file: string | undefined,
      o: MoveOptions & { topic?: string; toBrokers?: number[]; replicationFactor?: number; status?: boolean; cancel?: boolean },
    ) => {
      const admin = ctx.client().admin();
      if (o.status || o.cancel) {
        const list = await admin.listPartitionReassignments(o.topic === undefined ? [] : [{ topic: o.topic }]);
        if (o.status) {
          const progress = await admin.reassignmentProgress(list);
          const out = list.map((r) => ({
            ...reassignmentOutput(r),
            copying: (progress.get(`${r.topic}-${r.partition}`) ?? []).map(copyingOutput),
          }));
          ctx.print({ dryRun: false, plan: [], reassignments: out }, (d) => reassignmentsText(d.reassignments));
          return;
        }
        const plan = list.map((r) => ({ topic: r.topic, partition: r.partition, replicas: [] }));
        await admin.alterPartitionReassignments(plan, { validateOnly: o.dryRun ?? false });
        ctx.print({ dryRun: o.dryRun ?? false, plan, reassignments: [] }, (d) => `cancelled ${plural(d.plan.length, 'move')}`);
        return;
      }
      let plan: PartitionAssignment[];
      if (file !== undefined) {
        if (o.topic !== undefined) throw new UsageError('give either a plan file or --topic, not both');
        plan = parsePlan(await readFile(file, 'utf8'));
      } else {
        if (o.topic === undefined)
          throw new UsageError('give a plan file, or --topic with --to-brokers or --replication-factor, or --status');
        const current = await assignments(admin, o.topic);
        if (o.toBrokers !== undefined) {
          const racks = new Map((await liveBrokers(admin)).map((b) => [b.id, b.rack]));
          plan = planMoveTo(
            current,
            o.toBrokers.map((id) => ({ id, rack: racks.get(id) ?? '' })),
          );
        } else if (o.replicationFactor !== undefined) {
          plan = planReplicationFactor(current, o.replicationFactor, await liveBrokers(admin));
        } else throw new UsageError('--topic needs --to-brokers or --replication-factor');
      }
      ctx.print(await submit(ctx, plan, o), moveText);
    },
  );
  return outputSchema(cmd, MOVE_SCHEMA);
}

/** Each partition grown (least loaded live brokers added) or shrunk (last replicas dropped) to `rf` replicas. */
function planReplicationFactor(current: readonly PartitionAssignment[], rf: number, brokers: readonly PlanBroker[]): PartitionAssignment[] {
  if (rf > brokers.length) throw new UsageError(`replication factor ${rf} needs ${rf} live brokers; ${brokers.length} are up`);
  const load = new Map<number, number>();
  for (const p of current) for (const b of p.replicas) load.set(b, (load.get(b) ?? 0) + 1);
  return current
    .map((p) => {
      const replicas = p.replicas.slice(0, rf);
      while (replicas.length < rf) {
        const next = brokers
          .filter((b) => !replicas.includes(b.id))
          .sort((a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.id - b.id)[0] as PlanBroker;
        replicas.push(next.id);
        load.set(next.id, (load.get(next.id) ?? 0) + 1);
      }
      return { ...p, replicas };
    })
    .filter((p, i) => p.replicas.join(',') !== (current[i] as PartitionAssignment).replicas.join(','));
}

function rebalance(ctx: CommandContext): Command {
  const cmd = addMoveOptions(new Command('rebalance').description('spread replicas evenly over the live brokers')).addHelpText(
    'after',
    `
Moves replicas from the brokers hosting the most to those hosting the fewest until no two live
brokers differ by more than one replica (rack-aware where brokers have racks). Every move is a
reassignment (see samsa partitions reassign). Run samsa partitions elect-leaders afterwards, or let
the controller's automatic rebalance move leaders.

Example: samsa partitions rebalance --dry-run`,
  );
  cmd.action(async (o: MoveOptions) => {
    const admin = ctx.client().admin();
    ctx.print(await submit(ctx, planRebalance(await assignments(admin), await liveBrokers(admin)), o), moveText);
  });
  return outputSchema(cmd, MOVE_SCHEMA);
}

function drain(ctx: CommandContext): Command {
  const cmd = addMoveOptions(
    new Command('drain')
      .description('move every replica off a broker before retiring it')
      .argument('<broker-id>', 'the broker to empty', int(0)),
  ).addHelpText(
    'after',
    `
The broker is first marked draining (kept in etcd until samsa brokers undrain): topics created and
partitions added meanwhile place no replica on it, and no reassignment may add one to it. Each
partition on the broker then gets, in its place, the live broker hosting the fewest replicas that
it does not have yet and is not draining (on another rack than its other replicas where racks are
known). With --wait, the command returns once no replica is left on it: it can then be stopped with
nothing under-replicated. An unknown broker id is an error that lists the known ids.

Example: samsa brokers drain 3 --wait`,
  );
  cmd.action(async (broker: number, o: MoveOptions) => {
    const admin = ctx.client().admin();
    await admin.drainBrokers([broker], { validateOnly: o.dryRun ?? false });
    ctx.print(await submit(ctx, planDrain(await assignments(admin), broker, await liveBrokers(admin)), o), moveText);
  });
  return outputSchema(cmd, MOVE_SCHEMA);
}

function undrain(ctx: CommandContext): Command {
  const cmd = new Command('undrain')
    .description('end a drain: the broker takes new replicas again; its moves in progress are cancelled')
    .argument('<broker-id>', 'the broker being drained', int(0))
    .option('--keep-moves', 'leave the moves off the broker that are still in progress running')
    .addHelpText(
      'after',
      `
Takes the broker out of the draining state (samsa brokers drain), so placement and reassignments may
use it again, and cancels every reassignment still in progress that removes a replica from it (those
partitions go back to their replicas before the move; a move that cannot be cancelled safely is
reported and left running). Moves already finished stay as they are.

Example: samsa brokers undrain 3`,
    );
  cmd.action(async (broker: number, o: { keepMoves?: boolean }) => {
    const admin = ctx.client().admin();
    const draining = await admin.drainBrokers([broker], { undrain: true });
    const off = o.keepMoves ? [] : (await admin.listPartitionReassignments()).filter((r) => r.removingReplicas.includes(broker));
    const cancelled: { topic: string; partition: number }[] = [];
    const notCancelled: { topic: string; partition: number; message: string }[] = [];
    for (const r of off) {
      try {
        await admin.alterPartitionReassignments([{ topic: r.topic, partition: r.partition, replicas: [] }]);
        cancelled.push({ topic: r.topic, partition: r.partition });
      } catch (err) {
        notCancelled.push({ topic: r.topic, partition: r.partition, message: err instanceof Error ? err.message : String(err) });
      }
    }
    ctx.print({ broker, draining, cancelled, notCancelled }, (d) =>
      [
        `broker ${d.broker} is no longer draining; cancelled ${plural(d.cancelled.length, 'move')} off it`,
        ...d.notCancelled.map((n) => `not cancelled ${n.topic}-${n.partition}: ${n.message}`),
      ].join('\n'),
    );
  });
  return outputSchema(
    cmd,
    s.object({
      broker: s.integer(),
      draining: s.array(s.integer(), 'every broker still draining'),
      cancelled: s.array(s.object({ topic: s.string(), partition: s.integer() }), 'moves off the broker cancelled'),
      notCancelled: s.array(
        s.object({ topic: s.string(), partition: s.integer(), message: s.string() }),
        'moves that could not be cancelled safely (left running)',
      ),
    }),
  );
}

export const partitionsCommand: CommandModule = (ctx) =>
  commandGroup('partitions', 'leader elections and moving partitions between brokers')
    .addCommand(electLeaders(ctx))
    .addCommand(reassign(ctx))
    .addCommand(rebalance(ctx));

export const brokersCommand: CommandModule = (ctx) =>
  commandGroup('brokers', 'broker operations').addCommand(drain(ctx)).addCommand(undrain(ctx));

/**
 * `samsa quotas set|list|remove`: client quotas, kept by the controller and enforced by every
 * broker by throttling (docs/security.md, ADR 0027). An entity is --user User:NAME and/or
 * --client ID, either of which may be '<default>', as kafka-configs.sh's --user and --client.
 */
import { Command } from 'commander';
import { describeEntity, type Quota, type QuotaEntity } from '../../libs/security/index.js';
import type { CommandContext, CommandModule } from '../context.js';
import { table } from '../output.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, commandGroup } from '../usage.js';

/** A quota as -o json prints it: the entity's parts (null when not part of it) and the limits (0 = unlimited). */
export interface QuotaOutput {
  user: string | null;
  clientId: string | null;
  produceBytesPerSecond: number;
  fetchBytesPerSecond: number;
  requestsPerSecond: number;
}

const QUOTA_SCHEMA = s.object({
  user: s.nullable(s.string('User:NAME or <default>; null when the quota is for a client id alone')),
  clientId: s.nullable(s.string('a client id or <default>; null when the quota is for a user alone')),
  produceBytesPerSecond: s.number('per broker; 0 = unlimited'),
  fetchBytesPerSecond: s.number('per broker; 0 = unlimited'),
  requestsPerSecond: s.number('per broker; 0 = unlimited'),
});

function quotaOutput(q: Quota): QuotaOutput {
  return {
    user: q.entity.user ?? null,
    clientId: q.entity.clientId ?? null,
    produceBytesPerSecond: q.limits.produceBytesPerSecond,
    fetchBytesPerSecond: q.limits.fetchBytesPerSecond,
    requestsPerSecond: q.limits.requestsPerSecond,
  };
}

/** A rate option's parser: a number >= 0. */
function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`a rate must be a number >= 0 (0 = unlimited), got "${value}"`);
  return n;
}

interface EntityOptions {
  user?: string;
  client?: string;
}

function entityOf(o: EntityOptions, sub: string): QuotaEntity {
  if (o.user === undefined && o.client === undefined) throw new UsageError(`quotas ${sub} needs --user and/or --client`);
  if (o.user !== undefined && o.user !== '<default>' && !/^User:./.test(o.user))
    throw new UsageError(`--user must be User:NAME or '<default>', got "${o.user}"`);
  return { ...(o.user !== undefined ? { user: o.user } : {}), ...(o.client !== undefined ? { clientId: o.client } : {}) };
}

function entityOptions(cmd: Command): Command {
  return cmd
    .option('--user <User:NAME>', "the principal the quota is for; '<default>': every user without a quota of their own")
    .option('--client <id>', "the client id (samsa-client-id header, --client-id of the CLI) the quota is for; '<default>' likewise");
}

function set(ctx: CommandContext): Command {
  const cmd = entityOptions(new Command('set').description("set an entity's quota (replaces its limits; unset limits are unlimited)"))
    .option('--produce-bytes <n>', 'produce bytes per second, per broker', rate)
    .option('--fetch-bytes <n>', 'fetch and consume bytes per second, per broker', rate)
    .option('--requests <n>', 'requests per second, per broker', rate)
    .addHelpText(
      'after',
      `
A client over its quota is slowed down (answers held back, throttle_time_ms in the answer and the
samsa-throttle-time-ms trailer), never refused. The most specific quota applies, in Kafka's order:
user+client id, user+<default> client, user, <default> user+client id, ..., client id, <default> client.

Examples:
  samsa quotas set --user User:alice --produce-bytes 1048576 --fetch-bytes 4194304
  samsa quotas set --user '<default>' --requests 1000
  samsa quotas set --user User:alice --client reports --fetch-bytes 65536`,
    )
    .action(async (o: EntityOptions & { produceBytes?: number; fetchBytes?: number; requests?: number }) => {
      const entity = entityOf(o, 'set');
      if (o.produceBytes === undefined && o.fetchBytes === undefined && o.requests === undefined)
        throw new UsageError('quotas set needs at least one of --produce-bytes, --fetch-bytes, --requests');
      const quota: Quota = {
        entity,
        limits: { produceBytesPerSecond: o.produceBytes ?? 0, fetchBytesPerSecond: o.fetchBytes ?? 0, requestsPerSecond: o.requests ?? 0 },
      };
      await ctx.client().admin().alterQuotas([quota]);
      ctx.print({ quota: quotaOutput(quota) }, (d) => `quota set: ${describeEntity(entity)} ${limitsText(d.quota)}`);
    });
  return outputSchema(cmd, s.object({ quota: QUOTA_SCHEMA }));
}

function limitsText(q: QuotaOutput): string {
  const n = (x: number): string => (x > 0 ? String(x) : 'unlimited');
  return `produce ${n(q.produceBytesPerSecond)} B/s, fetch ${n(q.fetchBytesPerSecond)} B/s, requests ${n(q.requestsPerSecond)}/s`;
}

function list(ctx: CommandContext): Command {
  const cmd = new Command('list').description('every quota').action(async () => {
    const quotas = (await ctx.client().admin().describeQuotas()).map(quotaOutput);
    quotas.sort((a, b) => `${a.user ?? ''}\0${a.clientId ?? ''}`.localeCompare(`${b.user ?? ''}\0${b.clientId ?? ''}`));
    const n = (x: number): string => (x > 0 ? String(x) : '-');
    ctx.print({ quotas }, (d) =>
      d.quotas.length === 0
        ? 'no quotas'
        : table(
            ['USER', 'CLIENT-ID', 'PRODUCE-BYTES/S', 'FETCH-BYTES/S', 'REQUESTS/S'],
            d.quotas.map((q) => [
              q.user ?? '-',
              q.clientId ?? '-',
              n(q.produceBytesPerSecond),
              n(q.fetchBytesPerSecond),
              n(q.requestsPerSecond),
            ]),
          ),
    );
  });
  return outputSchema(cmd, s.object({ quotas: s.array(QUOTA_SCHEMA) }));
}

function remove(ctx: CommandContext): Command {
  const cmd = entityOptions(new Command('remove').description("remove an entity's quota (it falls back to the next that applies)"))
    .addHelpText('after', `\nExample:\n  samsa quotas remove --user User:alice`)
    .action(async (o: EntityOptions) => {
      const entity = entityOf(o, 'remove');
      await ctx.client().admin().alterQuotas([], [entity]);
      ctx.print(
        { removed: { user: entity.user ?? null, clientId: entity.clientId ?? null } },
        () => `quota removed: ${describeEntity(entity)}`,
      );
    });
  return outputSchema(cmd, s.object({ removed: s.object({ user: s.nullable(s.string()), clientId: s.nullable(s.string()) }) }));
}

export const quotasCommand: CommandModule = (ctx) =>
  commandGroup('quotas', 'client quotas: bytes and requests per second, enforced by throttling')
    .addCommand(set(ctx))
    .addCommand(list(ctx))
    .addCommand(remove(ctx));

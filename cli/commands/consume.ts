/**
 * `samsa consume TOPIC`: records to stdout. Without --follow every partition is read up to its
 * high watermark as it was at the start, then the command ends; with --follow it tails until
 * Ctrl-C (SIGINT/SIGTERM close the streams, the count is printed, and the exit code is 130).
 *
 * `samsa consume TOPIC --group G`: as a member of consumer group G, until Ctrl-C or
 * --max-messages. A chunk of records is reported processed (and so committed) only after it was
 * written to stdout, so a crash re-prints at most what was not yet committed (at-least-once).
 * With --partition P it reads P itself and commits to G without joining (consumeAssigned).
 * With --exec CMD it runs CMD per record or per batch instead of printing (consume-exec.ts).
 *
 * `samsa consume TOPIC --share-group G`: as a member of share group G (queues on the log,
 * docs/queues.md): records shared with the group's other members, each answered per --ack once
 * printed (auto: ack; none: no answer, so it comes back after the lease; release; reject).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  parseOffsetSpec,
  type ConsumedMessage,
  type GroupConsumerOptions,
  type OffsetSpec,
  type Samsa,
  type ShareConsumerOptions,
  type ShareMessage,
} from '../../libs/client/index.js';
import type { ByteFormat } from '../bytes.js';
import type { CommandContext, CommandModule } from '../context.js';
import { count, plural, renderData } from '../output.js';
import { RECORD_SCHEMA, formatRenderer, recordJson, textRenderer, type RecordRenderer } from '../record-output.js';
import { outputSchema } from '../schema.js';
import { UsageError, int } from '../usage.js';
import { byteFormatOption } from './produce.js';
import { consumeExec } from './consume-exec.js';

interface ConsumeFlags {
  partition: number | 'all';
  offset?: string;
  from?: string;
  fromTime?: number;
  follow?: boolean;
  maxMessages?: number;
  format?: string;
  printKey?: boolean;
  keySeparator: string;
  keyFormat: ByteFormat;
  valueFormat: ByteFormat;
  group?: string;
  sessionTimeoutMs?: number;
  autoCommitIntervalMs?: number;
  instanceId?: string;
  assignor: 'sticky' | 'range' | 'roundRobin';
  delivery: 'direct' | 'relay';
  exec?: string;
  execPer: 'record' | 'batch';
  concurrency?: number;
  retries?: number;
  deadLetterTopic?: string;
  shareGroup?: string;
  ack: ShareAckMode;
  maxRecords?: number;
  maxBytes?: number;
  leaseMs?: number;
  maxDeliveryAttempts?: number;
  keyOrdered?: boolean;
}

type ShareAckMode = 'auto' | 'none' | 'release' | 'reject';

/** Flags that go with --share-group only. */
const SHARE_FLAGS = ['leaseMs', 'maxDeliveryAttempts', 'keyOrdered'] as const;
/** Holding limits: a share member's, or a relay group member's (--group --delivery relay). */
const LIMIT_FLAGS = ['maxRecords', 'maxBytes'] as const;
const flagName = (f: string): string => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** --from-time: ms since the epoch or an ISO 8601 date. */
function time(raw: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new InvalidArgumentError('It must be ms since the epoch or an ISO 8601 date (2024-05-01T12:00:00Z).');
  return ms;
}

/**
 * Where each partition starts: --offset (or its older name --from) earliest|latest|N|-N|@TIME,
 * or --from-time; at most one of them.
 */
export function startPosition(o: Pick<ConsumeFlags, 'offset' | 'from' | 'fromTime'>): OffsetSpec {
  const given = (['offset', 'from', 'fromTime'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1)
    throw new UsageError(
      `give one of --offset, --from and --from-time, not ${given.map((k) => (k === 'fromTime' ? '--from-time' : `--${k}`)).join(' and ')}`,
    );
  if (o.fromTime !== undefined) return { timestampMs: o.fromTime };
  const text = o.offset ?? o.from ?? 'earliest';
  const flag = o.offset !== undefined ? '--offset' : '--from';
  if (/^-\d+$/.test(text)) {
    const last = Number(text.slice(1));
    if (!Number.isSafeInteger(last) || last < 1) throw new UsageError(`${flag} ${text}: the last N records needs N >= 1`);
    return { last };
  }
  try {
    return parseOffsetSpec(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${err instanceof Error ? err.message : String(err)}; or -N for the last N records of each partition`);
  }
}

export const consumeCommand: CommandModule = (ctx) => {
  const cmd = new Command('consume')
    .description('print records of a topic (--group G: as a member of consumer group G)')
    .argument('<topic>')
    .option('--partition <p>', 'one partition, or all of them', (v: string): number | 'all' => (v === 'all' ? 'all' : int(0)(v)), 'all')
    .option(
      '--offset <position>',
      'where each partition starts: earliest (default), latest (only new records), an offset N, -N (the last N records of each partition), or @TIME',
    )
    .option('--from <position>', 'the same as --offset (its older name)')
    .option('--from-time <time>', 'start each partition at its first record at or after TIME: ms since the epoch or an ISO 8601 date', time)
    .option('-f, --follow', 'keep waiting for new records, like tail -f, until Ctrl-C')
    .option('--max-messages <n>', 'stop after N records', int(1))
    .option('--format <fmt>', 'a kcat-style format string for each record, e.g. \'%k %s %T %h\\n\' (see below); "json" is -o json')
    .option('--print-key', 'text output: print KEY<SEP>VALUE')
    .option('--key-separator <sep>', 'separator for --print-key', '\t')
    .addOption(
      byteFormatOption(
        'key',
        'how keys are printed: raw (the bytes as they are), utf8, base64 or hex; in JSON, raw and utf8 give text when valid UTF-8, else base64',
      ),
    )
    .addOption(
      byteFormatOption('value', 'how values (and header values in %h) are printed: raw, utf8, base64 or hex; as --key-format in JSON'),
    )
    .option('--group <group>', 'consume as a member of this consumer group (commits what was printed)')
    .option('--session-timeout-ms <ms>', 'group member: dropped after MS without progress (default 45000)', int(1))
    .option('--instance-id <id>', 'group member: static membership; a restart within the session timeout keeps the partitions')
    .option('--auto-commit-interval-ms <ms>', 'group member: commit what was printed every MS (default 5000; 0: every chunk)', int(0))
    .addOption(
      new Option('--assignor <name>', 'group member: how the group splits partitions')
        .choices(['sticky', 'range', 'roundRobin'])
        .default('sticky'),
    )
    .addOption(
      new Option(
        '--delivery <how>',
        'group member: read the assigned partitions from their leaders (direct) or receive them through the coordinator (relay)',
      )
        .choices(['direct', 'relay'])
        .default('direct'),
    )
    .option('--exec <cmd>', 'group member: run CMD (/bin/sh) per record instead of printing; committed once it exited 0')
    .addOption(
      new Option('--exec-per <unit>', 'with --exec: run CMD per record or per chunk of a partition')
        .choices(['record', 'batch'])
        .default('record'),
    )
    .option('--concurrency <n>', 'with --exec: commands for up to N partitions at once', int(1))
    .option('--retries <n>', 'with --exec: run a failing command again up to N times, with backoff', int(0))
    .option(
      '--dead-letter-topic <topic>',
      "with --exec: then produce its record there and go on (else its partition stops); with --share-group: the group's dead-letter topic (default G.dlq)",
    )
    .option(
      '--share-group <group>',
      'consume as a member of this share group: records shared with its other members, each answered (--ack)',
    )
    .addOption(
      new Option(
        '--ack <mode>',
        'share member: the answer for each record once printed: auto (ack), none (no answer: it comes back after the lease), release (give it back now), reject (to the dead-letter topic)',
      )
        .choices(['auto', 'none', 'release', 'reject'])
        .default('auto'),
    )
    .option(
      '--max-records <n>',
      'share member: records it may hold unanswered (default 500); group member with --delivery relay: records it may hold unprocessed (default: no limit)',
      int(1),
    )
    .option(
      '--max-bytes <n>',
      'share member: bytes of keys and values it may hold unanswered (default 16 MiB); group member with --delivery relay: unprocessed (default: no limit)',
      int(1),
    )
    .option('--lease-ms <ms>', 'share group setting: how long a record stays with its member unanswered (default 30000)', int(1000))
    .option('--max-delivery-attempts <n>', 'share group setting: deliveries before a record is dead-lettered (default 5)', int(1))
    .option('--key-ordered', 'share group setting: one key at one member at a time, in offset order')
    .addHelpText(
      'after',
      `
Prints records, one per line (text: the value; -o json: one JSON object per line; -o yaml: one
YAML document per record). Without --follow it stops at the end of each partition as it was when
it started; with --follow it keeps waiting for new records until Ctrl-C (exit code 130). Records of
one partition come in offset order. The count goes to stderr at the end.

Format strings (--format), as kcat's -f: %k key, %s value, %t topic, %p partition, %o offset,
%T timestamp (ms), %h headers (name=value,...), %K key length, %S value length (-1 when null),
%% a percent sign; \\n \\t \\r \\0 \\\\ escapes. Nothing is added after a record: end the format with \\n.

As a consumer-group member (--group G), the coordinator assigns partitions; what was printed is
committed every --auto-commit-interval-ms, on a rebalance and on exit. --offset earliest|latest is
where partitions without a committed offset start. With --group G --partition P it reads P itself,
from G's committed offset (else --offset, any position), and commits what was printed to G without
joining it; refused while G has members. With --delivery relay the records come through the
coordinator, and --max-records / --max-bytes cap what the member holds unprocessed: the coordinator
sends no more until what it printed makes room, so a hung member holds at most that much (docs/groups.md).

With --group G --exec 'CMD' it runs CMD per record (or --exec-per batch: per chunk of a partition)
instead of printing, for up to --concurrency partitions at once, one partition's records in offset
order. Per record: the value on stdin; SAMSA_TOPIC, SAMSA_PARTITION, SAMSA_OFFSET,
SAMSA_TIMESTAMP_MS, SAMSA_KEY in the environment. Per batch: the records as JSON lines on stdin;
SAMSA_FIRST_OFFSET, SAMSA_LAST_OFFSET, SAMSA_COUNT. A record is committed only once its command
exited 0; a failing one is retried (--retries), then dead-lettered (--dead-letter-topic), else its
partition stops there and the others go on.

Examples: samsa consume orders --offset -10 --format '%p/%o %T %k=%s %h\\n'
          samsa consume photos -o json --value-format base64
          samsa consume orders --from-time 2024-05-01T12:00:00Z --max-messages 100
          samsa consume orders --group billing -o json
          samsa consume orders --group mailer --exec './send-mail.sh' --concurrency 4 --retries 3
          samsa consume orders --group billing --delivery relay --max-records 100
          samsa consume tasks --share-group workers --max-records 10 --ack auto -o json

As a share-group member (--share-group G), records of the topic are shared by every member of G
(more members than partitions is fine), each under a lease; --ack says how each printed record is
answered. With -o json each line also has "deliveryCount". Group settings (--lease-ms,
--max-delivery-attempts, --key-ordered, --dead-letter-topic) are fixed by the member that creates
the group; a member asking for other values is refused. docs/queues.md has the guarantees.`,
    )
    .action(async (topic: string, o: ConsumeFlags) => consume(ctx, topic, o));
  return outputSchema(cmd, RECORD_SCHEMA, 'lines');
};

async function consume(ctx: CommandContext, topic: string, o: ConsumeFlags): Promise<void> {
  const partition = o.partition === 'all' ? undefined : o.partition;
  const from = startPosition(o);
  const follow = o.follow ?? false;
  const max = o.maxMessages ?? Number.POSITIVE_INFINITY;
  const render = renderer(ctx, o);

  if (o.shareGroup !== undefined) {
    if (o.group !== undefined) throw new UsageError('--share-group and --group: a group is either classic or share; give one');
    const bad = (['exec', 'partition', 'follow', 'instanceId', 'autoCommitIntervalMs'] as const).find((f) =>
      f === 'partition' ? partition !== undefined : o[f] !== undefined,
    );
    if (bad) throw new UsageError(`${flagName(bad)} does not go with --share-group`);
    if (from !== 'earliest' && from !== 'latest')
      throw new UsageError('with --share-group, --offset is where the group starts a partition it has no state for: earliest or latest');
    const options: ShareConsumerOptions = {
      group: o.shareGroup,
      topics: [topic],
      reset: from,
      ...(o.maxRecords !== undefined ? { maxRecords: o.maxRecords } : {}),
      ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
      ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}),
      ...(o.maxDeliveryAttempts !== undefined ? { maxDeliveryAttempts: o.maxDeliveryAttempts } : {}),
      ...(o.keyOrdered !== undefined ? { keyOrdered: o.keyOrdered } : {}),
      ...(o.deadLetterTopic !== undefined ? { deadLetterTopic: o.deadLetterTopic } : {}),
      ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
    };
    return consumeAsShareMember(
      ctx.client(),
      ctx,
      options,
      o.ack,
      max,
      o.format === undefined && ctx.output() === 'json' ? undefined : render,
      o,
    );
  }
  const shareFlag = SHARE_FLAGS.find((f) => o[f] !== undefined) ?? (o.ack !== 'auto' ? 'ack' : undefined);
  if (shareFlag) throw new UsageError(`${flagName(shareFlag)} goes with --share-group`);
  // A direct member reads from the leaders itself: no coordinator holds records back for it.
  const limitFlag = LIMIT_FLAGS.find((f) => o[f] !== undefined);
  if (limitFlag && (o.group === undefined || partition !== undefined || o.delivery !== 'relay'))
    throw new UsageError(`${flagName(limitFlag)} goes with --share-group, or with --group G --delivery relay`);
  if (o.autoCommitIntervalMs !== undefined && (o.group === undefined || partition !== undefined || o.delivery !== 'direct'))
    throw new UsageError('--auto-commit-interval-ms goes with --group G (direct delivery, the default)');

  const withExec = (['execPer', 'concurrency', 'retries', 'deadLetterTopic'] as const).find((f) => f !== 'execPer' && o[f] !== undefined);
  if (o.exec === undefined && withExec)
    throw new UsageError(`--${withExec === 'deadLetterTopic' ? 'dead-letter-topic' : withExec} goes with --exec`);
  if (o.exec !== undefined) {
    if (o.group === undefined || partition !== undefined)
      throw new UsageError('--exec runs as a group member: give --group G (and no --partition)');
    if (o.maxMessages !== undefined) throw new UsageError('--exec runs until Ctrl-C: drop --max-messages');
    if (o.exec.trim() === '') throw new UsageError('--exec needs a command');
  }
  if (o.group !== undefined) {
    if (o.follow !== undefined) throw new UsageError('--group always follows: drop --follow');
    if (partition !== undefined) {
      const memberFlag = (['sessionTimeoutMs', 'instanceId'] as const).find((f) => o[f] !== undefined);
      if (memberFlag)
        throw new UsageError(
          `--group with --partition reads that partition without joining the group; --${memberFlag === 'instanceId' ? 'instance-id' : 'session-timeout-ms'} is for members: drop it or --partition`,
        );
      return consumeAssigned(ctx.client(), ctx, { groupId: o.group, topic, partition, reset: from }, max, render);
    }
    if (from !== 'earliest' && from !== 'latest')
      throw new UsageError('with --group, --offset is where partitions without a committed offset start: earliest or latest');
    const options: GroupConsumerOptions = {
      groupId: o.group,
      topics: [topic],
      reset: from,
      assignor: o.assignor,
      delivery: o.delivery,
      ...(o.maxRecords !== undefined ? { maxRecords: o.maxRecords } : {}),
      ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
      ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
      ...(o.autoCommitIntervalMs !== undefined ? { autoCommitIntervalMs: o.autoCommitIntervalMs } : {}),
      ...(o.instanceId !== undefined ? { groupInstanceId: o.instanceId } : {}),
      onAssignment: (a) =>
        ctx.stderr(
          `group ${o.group}: generation ${a.generation}, member ${a.memberId}, partitions ${a.partitions.map((p) => `${p.topic}[${p.partitions.join(',')}]`).join(' ') || '(none)'}`,
        ),
    };
    if (o.exec !== undefined) {
      const formats = { key: o.keyFormat, value: o.valueFormat };
      const onError = {
        ...(o.retries !== undefined ? { retry: { retries: o.retries } } : {}),
        ...(o.deadLetterTopic !== undefined ? { deadLetterTopic: o.deadLetterTopic } : {}),
      };
      return consumeExec(ctx.client(), ctx, options, { command: o.exec, per: o.execPer, concurrency: o.concurrency ?? 1, onError }, (m) =>
        JSON.stringify(recordJson(m, formats)),
      );
    }
    return consumeAsGroupMember(ctx.client(), ctx, options, max, render);
  }

  const consumer = ctx.client().consumer();
  const chunks =
    partition === undefined
      ? consumer.topicChunks({ topic, from, follow })
      : consumer.partition({ topic, partition, from, follow }).chunks();
  const unregister = ctx.onInterrupt(() => void consumer.close());
  const started = performance.now();
  const progress = { received: 0 };
  let failed = false;
  try {
    if (max > 0) await printChunks(chunks, ctx, max, render, progress);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    unregister();
    await consumer.close();
    await ctx.out.end();
    const seconds = (performance.now() - started) / 1000;
    if (!failed) {
      ctx.stderr(
        `consumed ${plural(progress.received, 'record')} from ${topic} in ${seconds.toFixed(2)} s: ${count(seconds > 0 ? progress.received / seconds : progress.received)} records/s`,
      );
    } else if (progress.received > 0) {
      ctx.stderr(`consumed ${plural(progress.received, 'record')} from ${topic} before the error below`);
    }
  }
}

/** How each record is printed: -o json|yaml, --format, or text. */
function renderer(ctx: CommandContext, o: ConsumeFlags): RecordRenderer {
  const formats = { key: o.keyFormat, value: o.valueFormat };
  let output = ctx.output();
  let format = o.format;
  // `--format json|text` were this command's output switch before -o; they keep working.
  if (format === 'json' || format === 'text') {
    if (output !== 'text' && output !== format) throw new UsageError(`--format ${format} and -o ${output} disagree: give -o only`);
    output = format;
    format = undefined;
  }
  if (format !== undefined) {
    if (output !== 'text') throw new UsageError(`--format prints text: drop -o ${output}`);
    if (o.printKey) throw new UsageError('--print-key is for the default text output: put %k in the --format string');
    try {
      return formatRenderer(format, formats);
    } catch (err) {
      throw new UsageError(`--format: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (output === 'json') return (m) => [JSON.stringify(recordJson(m, formats)), '\n'];
  if (output === 'yaml') return (m) => ['---\n', renderData('yaml', recordJson(m, formats)), '\n'];
  return textRenderer(formats, o.printKey ?? false, o.keySeparator);
}

async function consumeAsGroupMember(
  samsa: Samsa,
  ctx: CommandContext,
  options: GroupConsumerOptions,
  max: number,
  render: RecordRenderer,
): Promise<void> {
  const member = samsa.groupConsumer(options);
  const unregister = ctx.onInterrupt(() => void member.close());
  const progress = { received: 0 };
  try {
    // Handed to the OS before the next chunk is asked for, which reports this one processed.
    await printChunks(member.chunks(), ctx, max, render, progress, () => ctx.out.end());
  } finally {
    unregister();
    await ctx.out.end();
    await member.close();
    ctx.stderr(`consumed ${plural(progress.received, 'record')} as a member of group ${options.groupId}`);
  }
}

async function consumeAsShareMember(
  samsa: Samsa,
  ctx: CommandContext,
  options: ShareConsumerOptions,
  ack: ShareAckMode,
  max: number,
  render: RecordRenderer | undefined,
  o: ConsumeFlags,
): Promise<void> {
  const member = samsa.shareConsumer(options);
  const unregister = ctx.onInterrupt(() => void member.close());
  const formats = { key: o.keyFormat, value: o.valueFormat };
  const line = render ?? ((m: ShareMessage) => [JSON.stringify({ ...recordJson(m, formats), deliveryCount: m.deliveryCount }), '\n']);
  let received = 0;
  let joined = false;
  try {
    for await (const m of member) {
      if (!joined && member.membership) {
        joined = true;
        const j = member.membership;
        ctx.stderr(
          `share group ${options.group}: member ${j.memberId}, lease ${j.leaseMs} ms, max delivery attempts ${j.maxDeliveryAttempts}${j.keyOrdered ? ', key-ordered' : ''}, dead letters to ${j.deadLetterTopic}`,
        );
      }
      received++;
      let wait: Promise<unknown> | undefined;
      for (const piece of line(m as ShareMessage & ConsumedMessage)) wait = ctx.out.write(piece) ?? wait;
      if (wait) await wait;
      // Answered only once handed to the OS: a crash before that redelivers it after the lease.
      await ctx.out.end();
      if (ack === 'auto') m.ack();
      else if (ack === 'release') m.release();
      else if (ack === 'reject') m.reject();
      if (received >= max) break;
    }
  } finally {
    unregister();
    await ctx.out.end();
    await member.close();
    ctx.stderr(`consumed ${plural(received, 'record')} as a member of share group ${options.group}`);
  }
}

/**
 * `--group G --partition P`: reads P from its leader and commits to G without joining it (Kafka's
 * simple consumer group). Each chunk is committed once it was handed to the OS, so a crash
 * re-prints at most the chunk being printed.
 */
async function consumeAssigned(
  samsa: Samsa,
  ctx: CommandContext,
  target: { groupId: string; topic: string; partition: number; reset: OffsetSpec },
  max: number,
  render: RecordRenderer,
): Promise<void> {
  const { groupId, topic, partition } = target;
  const consumer = samsa.consumer({ groupId, reset: target.reset, autoCommit: false });
  consumer.assign([{ topic, partition }]);
  const unregister = ctx.onInterrupt(() => void consumer.close());
  const progress = { received: 0 };
  try {
    await printChunks(consumer.chunks(), ctx, max, render, progress, async (last) => {
      await ctx.out.end();
      await consumer.commit([{ topic, partition, offset: last.offset + 1 }]);
    });
  } finally {
    unregister();
    await ctx.out.end();
    await consumer.close();
    ctx.stderr(`consumed ${plural(progress.received, 'record')} from ${topic}/${partition}, committed to group ${groupId}`);
  }
}

/**
 * Prints records until `max` of them (counted in `progress`, which the caller reads also after an
 * error); `printed` is awaited after each chunk, or the part of it printed before `max`, with the
 * last record printed.
 */
async function printChunks(
  chunks: AsyncIterable<ConsumedMessage[]>,
  ctx: CommandContext,
  max: number,
  render: RecordRenderer,
  progress: { received: number },
  printed?: (last: ConsumedMessage) => Promise<void>,
): Promise<void> {
  for await (const chunk of chunks) {
    for (const m of chunk) {
      progress.received++;
      let wait: Promise<unknown> | undefined;
      for (const piece of render(m)) wait = ctx.out.write(piece) ?? wait;
      if (wait) await wait;
      if (progress.received >= max || m === chunk.at(-1)) await printed?.(m);
      if (progress.received >= max) return;
    }
  }
}

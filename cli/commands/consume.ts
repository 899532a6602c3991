/**
 * `samsa consume TOPIC`: records to stdout, one per line. Without --follow every partition is read
 * up to its high watermark as it was at the start, then the command ends; with --follow it tails
 * until Ctrl-C (SIGINT/SIGTERM close the streams and the command ends normally).
 *
 * `samsa consume TOPIC --group G`: as a member of consumer group G, until Ctrl-C or
 * --max-messages. A chunk of records is reported processed (and so committed) only after it was
 * written to stdout, so a crash re-prints at most what was not yet committed (at-least-once).
 * With --partition P it reads P itself and commits to G without joining (consumeAssigned).
 */
import type { ConsumedMessage, GroupConsumerOptions, OffsetSpec, Samsa } from '../../libs/client/index.js';
import { parseOffsetSpec } from '../../libs/client/index.js';
import { CONSUME_HELP } from '../help.js';
import { LineWriter, count } from '../output.js';
import { UsageError, intFlag, parseCommand, positionals } from '../usage.js';
import type { ProduceIo } from './produce.js';

export interface ConsumeIo extends Omit<ProduceIo, 'stdin'> {
  out: LineWriter;
  /** Registers what to do on Ctrl-C; returns a function that unregisters it. */
  onInterrupt: (stop: () => void) => () => void;
}

export async function consumeCommand(args: string[], client: () => Samsa, io: ConsumeIo): Promise<void> {
  const parsed = parseCommand(
    args,
    {
      partition: { type: 'string' },
      from: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      'max-messages': { type: 'string' },
      format: { type: 'string' },
      'print-key': { type: 'boolean' },
      'key-separator': { type: 'string' },
      group: { type: 'string' },
      'session-timeout-ms': { type: 'string' },
      'instance-id': { type: 'string' },
      assignor: { type: 'string' },
    },
    CONSUME_HELP,
  );
  if (parsed.values.help) return io.stdout(CONSUME_HELP);
  const [topic] = positionals(parsed, ['TOPIC'], CONSUME_HELP) as [string];
  const partitionArg = parsed.values.partition ?? 'all';
  const partition = partitionArg === 'all' ? undefined : intFlag(partitionArg, 'partition', CONSUME_HELP);
  let from;
  try {
    from = parseOffsetSpec(parsed.values.from ?? 'earliest');
  } catch (err) {
    throw new UsageError(`--from: ${err instanceof Error ? err.message : String(err)}`, CONSUME_HELP);
  }
  const follow = parsed.values.follow ?? false;
  const max = parsed.values['max-messages'] === undefined ? Number.POSITIVE_INFINITY : intFlag(parsed.values['max-messages'], 'max-messages', CONSUME_HELP, 1);
  const format = parsed.values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${format}"`, CONSUME_HELP);
  const render = format === 'json' ? toJson : toText(parsed.values['print-key'] ?? false, parsed.values['key-separator'] ?? '\t');

  if (parsed.values.group !== undefined) {
    if (parsed.values.follow !== undefined) throw new UsageError('--group always follows: drop --follow', CONSUME_HELP);
    if (partition !== undefined) {
      const memberFlag = (['session-timeout-ms', 'instance-id', 'assignor'] as const).find((f) => parsed.values[f] !== undefined);
      if (memberFlag) throw new UsageError(`--group with --partition reads that partition without joining the group; --${memberFlag} is for members: drop it or --partition`, CONSUME_HELP);
      return consumeAssigned(client(), io, { groupId: parsed.values.group, topic, partition, reset: from }, max, render);
    }
    if (from !== 'earliest' && from !== 'latest') throw new UsageError('with --group, --from is where partitions without a committed offset start: earliest or latest', CONSUME_HELP);
    const assignor = parsed.values.assignor ?? 'sticky';
    if (assignor !== 'sticky' && assignor !== 'range' && assignor !== 'roundRobin') throw new UsageError(`--assignor must be sticky, range or roundRobin, got "${assignor}"`, CONSUME_HELP);
    const options: GroupConsumerOptions = {
      groupId: parsed.values.group,
      topics: [topic],
      reset: from,
      assignor,
      ...(parsed.values['session-timeout-ms'] !== undefined ? { sessionTimeoutMs: intFlag(parsed.values['session-timeout-ms'], 'session-timeout-ms', CONSUME_HELP, 1) } : {}),
      ...(parsed.values['instance-id'] !== undefined ? { groupInstanceId: parsed.values['instance-id'] } : {}),
      onAssignment: (a) => io.stderr(`group ${parsed.values.group}: generation ${a.generation}, member ${a.memberId}, partitions ${a.partitions.map((p) => `${p.topic}[${p.partitions.join(',')}]`).join(' ') || '(none)'}`),
    };
    return consumeAsGroupMember(client(), io, options, max, render);
  }

  const consumer = client().consumer();
  const chunks =
    partition === undefined
      ? consumer.topicChunks({ topic, from, follow })
      : consumer.partition({ topic, partition, from, follow }).chunks();
  const unregister = io.onInterrupt(() => void consumer.close());
  const started = performance.now();
  const progress = { received: 0 };
  let failed = false;
  try {
    if (max > 0) await printChunks(chunks, io, max, render, progress);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    unregister();
    await consumer.close();
    await io.out.end();
    const seconds = (performance.now() - started) / 1000;
    if (!failed) {
      io.stderr(`consumed ${count(progress.received)} records from ${topic} in ${seconds.toFixed(2)} s: ${count(seconds > 0 ? progress.received / seconds : progress.received)} records/s`);
    } else if (progress.received > 0) {
      io.stderr(`consumed ${count(progress.received)} records from ${topic} before the error below`);
    }
  }
}

async function consumeAsGroupMember(samsa: Samsa, io: ConsumeIo, options: GroupConsumerOptions, max: number, render: (m: ConsumedMessage) => string): Promise<void> {
  const member = samsa.groupConsumer(options);
  const unregister = io.onInterrupt(() => void member.close());
  const progress = { received: 0 };
  try {
    // Handed to the OS before the next chunk is asked for, which reports this one processed.
    await printChunks(member.chunks(), io, max, render, progress, () => io.out.end());
  } finally {
    unregister();
    await io.out.end();
    await member.close();
    io.stderr(`consumed ${count(progress.received)} records as a member of group ${options.groupId}`);
  }
}

/**
 * `--group G --partition P`: reads P from its leader and commits to G without joining it (Kafka's
 * simple consumer group). Each chunk is committed once it was handed to the OS, so a crash
 * re-prints at most the chunk being printed.
 */
async function consumeAssigned(samsa: Samsa, io: ConsumeIo, target: { groupId: string; topic: string; partition: number; reset: OffsetSpec }, max: number, render: (m: ConsumedMessage) => string): Promise<void> {
  const { groupId, topic, partition } = target;
  const consumer = samsa.consumer({ groupId, reset: target.reset, autoCommit: false });
  consumer.assign([{ topic, partition }]);
  const unregister = io.onInterrupt(() => void consumer.close());
  const progress = { received: 0 };
  try {
    await printChunks(consumer.chunks(), io, max, render, progress, async (last) => {
      await io.out.end();
      await consumer.commit([{ topic, partition, offset: last.offset + 1 }]);
    });
  } finally {
    unregister();
    await io.out.end();
    await consumer.close();
    io.stderr(`consumed ${count(progress.received)} records from ${topic}/${partition}, committed to group ${groupId}`);
  }
}

/**
 * Prints records until `max` of them (counted in `progress`, which the caller reads also after an
 * error); `printed` is awaited after each chunk, or the part of it printed before `max`, with the
 * last record printed.
 */
async function printChunks(
  chunks: AsyncIterable<ConsumedMessage[]>,
  io: ConsumeIo,
  max: number,
  render: (m: ConsumedMessage) => string,
  progress: { received: number },
  printed?: (last: ConsumedMessage) => Promise<void>,
): Promise<void> {
  for await (const chunk of chunks) {
    for (const m of chunk) {
      progress.received++;
      const wait = io.out.line(render(m));
      if (wait) await wait;
      if (progress.received >= max || m === chunk.at(-1)) await printed?.(m);
      if (progress.received >= max) return;
    }
  }
}

function toText(printKey: boolean, separator: string): (m: ConsumedMessage) => string {
  const value = (m: ConsumedMessage): string => (m.value ? m.value.toString('utf8') : '');
  return printKey ? (m) => `${m.key ? m.key.toString('utf8') : ''}${separator}${value(m)}` : value;
}

function toJson(m: ConsumedMessage): string {
  const headers: Record<string, string> = {};
  for (const h of m.headers) headers[h.key] = h.value.toString('utf8');
  return JSON.stringify({
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestampMs,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value ? m.value.toString('utf8') : null,
    headers,
  });
}

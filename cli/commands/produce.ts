/**
 * `samsa produce TOPIC`: lines from stdin or --file become records. Lines are gathered into
 * batches (by count and size, or after a short linger when input is slow, as from a terminal) and
 * up to a few batches are in flight at once; the producer keeps each partition's records in order.
 * Input is read as bytes: a text line reaches the record as it was, or decoded from base64/hex.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Acks, ProducerMessage } from '../../libs/client/index.js';
import type { CompressionCodec } from '../../libs/record/index.js';
import { BYTE_FORMATS, type ByteFormat } from '../bytes.js';
import type { CommandContext, CommandModule } from '../context.js';
import { byteLines } from '../lines.js';
import { count, plural } from '../output.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, collect, int } from '../usage.js';
import { compressionOption } from './perf.js';
import { lineToMessage, parseHeaderFlags, type LineFormat } from './produce-input.js';

const MAX_BATCH_LINES = 20_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const LINGER_MS = 20;
const MAX_IN_FLIGHT = 3;

/** --acks all|-1|1|0 (default all). */
export function acksOption(): Option {
  return new Option('--acks <acks>', 'all: every in-sync replica has it; 1: the leader has it; 0: do not wait')
    .choices(['all', '-1', '1', '0'])
    .default('all' satisfies Acks)
    .argParser((v): Acks => {
      if (v === 'all' || v === '-1') return 'all';
      if (v === '1') return 1;
      if (v === '0') return 0;
      throw new InvalidArgumentError('It must be all, 1 or 0.');
    });
}

/** --key-format / --value-format, shared by produce and consume. */
export function byteFormatOption(which: 'key' | 'value', description: string): Option {
  return new Option(`--${which}-format <format>`, description).choices(BYTE_FORMATS).default('raw');
}

export interface ProduceOutput {
  topic: string;
  records: number;
  partitions: number[];
  acks: string;
  seconds: number;
  recordsPerSecond: number;
}

interface ProduceFlags {
  file?: string;
  format: string;
  keySeparator?: string;
  header?: string[];
  acks: Acks;
  partition?: number;
  compression: CompressionCodec;
  keyFormat: ByteFormat;
  valueFormat: ByteFormat;
}

export const produceCommand: CommandModule = (ctx) => {
  const cmd = new Command('produce')
    .description('write lines from stdin or a file as records')
    .argument('<topic>')
    .option('--file <file>', 'read lines from FILE instead of stdin')
    .addOption(
      new Option(
        '--format <input>',
        'text: each line is the value (or KEY<SEP>VALUE with --key-separator); json: each line is an object as `samsa consume -o json` prints it',
      )
        .choices(['text', 'json'])
        .default('text'),
    )
    .option(
      '--key-separator <sep>',
      'each line is KEY<SEP>VALUE (split at the first SEP); records with equal keys land on the same partition (murmur2, as Kafka)',
    )
    .option('--header <key=value>', "add this header to every record (repeatable; a JSON line's own headers win)", collect)
    .addOption(acksOption())
    .option('--partition <p>', 'write every record to partition P', int(0))
    .addOption(compressionOption())
    .addOption(
      byteFormatOption(
        'key',
        'how keys are written in the input: raw (the bytes as they are), utf8, base64 or hex; for JSON lines, when a line has no keyEncoding',
      ),
    )
    .addOption(
      byteFormatOption(
        'value',
        'how values are written in the input: raw, utf8, base64 or hex; for JSON lines, when a line has no valueEncoding',
      ),
    )
    .addHelpText(
      'after',
      `
Reads lines from stdin (or FILE) and writes each as one record. Lines are sent in batches, one
batch per partition, straight to each partition's leader. A summary goes to stderr (with -o json
or yaml, to stdout in that format). A line ends at \\n (a \\r before it is dropped), so binary
values with newlines need --value-format base64 or hex, or JSON lines with "valueEncoding".

JSON lines: {"key": "k"|null, "value": "v"|null, "headers": {"name": "value"}, "timestamp": MS,
"keyEncoding"/"valueEncoding": "utf8"|"base64"|"hex", "headerEncodings": {"name": "base64"}};
"value" is required (null is a tombstone); "topic", "partition" and "offset" are ignored.

A line that is not a valid record stops the command with its line number (exit 1); the lines
before it are written.

Examples: seq 1000 | samsa produce demo
          printf 'user-1:clicked\\nuser-2:left\\n' | samsa produce demo --key-separator :
          base64 -w0 photo.jpg | samsa produce photos --value-format base64
          samsa consume demo -o json | samsa produce demo-copy --format json --header copied-from=demo`,
    )
    .action(async (topic: string, o: ProduceFlags) => produce(ctx, topic, o));
  return outputSchema(
    cmd,
    s.object({
      topic: s.string(),
      records: s.integer('records written'),
      partitions: s.array(s.integer(), 'the partitions written to, ascending'),
      acks: s.string('all, 1 or 0', ['all', '1', '0']),
      seconds: s.number(),
      recordsPerSecond: s.number(),
    }),
  );
};

async function produce(ctx: CommandContext, topic: string, o: ProduceFlags): Promise<void> {
  const separator = o.keySeparator;
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  if (o.format === 'json' && separator !== undefined)
    throw new UsageError('--key-separator is for --format text; JSON lines carry their own "key"');
  const formats = { keyFormat: o.keyFormat, valueFormat: o.valueFormat };
  const format: LineFormat =
    o.format === 'json'
      ? { kind: 'json', ...formats }
      : { kind: 'text', ...formats, ...(separator !== undefined ? { keySeparator: separator } : {}) };
  const headerFlags = parseHeaderFlags(o.header ?? []);
  if (!headerFlags.ok) throw new UsageError(headerFlags.error);
  const headers = headerFlags.headers;
  const partition = o.partition;

  const producer = ctx.client().producer({ acks: o.acks, compression: o.compression });
  const input: Readable = o.file ? createReadStream(o.file) : ctx.stdin;
  if (!o.file && ctx.stdin.isTTY)
    ctx.stderr(`reading records for ${topic} from the terminal, one a line; Ctrl-D sends them and ends, Ctrl-C aborts`);
  const started = performance.now();
  let sent = 0;
  let lineNo = 0;
  let failure: unknown;
  let pending: ProducerMessage[] = [];
  let pendingBytes = 0;
  let linger: NodeJS.Timeout | undefined;
  const inflight = new Set<Promise<void>>();
  const partitions = new Set<number>();

  const flush = (): void => {
    if (linger) clearTimeout(linger);
    linger = undefined;
    if (pending.length === 0 || failure) return;
    const messages = pending;
    pending = [];
    pendingBytes = 0;
    const p = producer.send({ topic, messages }).then(
      (results) => {
        sent += messages.length;
        for (const r of results) partitions.add(r.partition);
      },
      (err: unknown) => {
        failure ??= err;
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  const fileError = new Promise<never>((_, reject) => input.once('error', reject));
  fileError.catch(() => undefined);
  const lines = byteLines(input);
  try {
    const reading = (async () => {
      for await (const line of lines) {
        lineNo++;
        const message = lineToMessage(line, lineNo, format, headers);
        if (partition !== undefined) message.partition = partition;
        pending.push(message);
        pendingBytes += line.length;
        if (pending.length >= MAX_BATCH_LINES || pendingBytes >= MAX_BATCH_BYTES) flush();
        else linger ??= setTimeout(flush, LINGER_MS);
        while (inflight.size >= MAX_IN_FLIGHT) await Promise.race(inflight);
        if (failure) break;
      }
    })();
    // If the file fails first, `reading` may still reject later: that is already reported.
    reading.catch(() => undefined);
    // A bad line or an unreadable file stops the input, but the lines before it are still sent,
    // so the summary can say exactly what was written.
    let inputError: unknown;
    await Promise.race([reading, fileError]).catch((err: unknown) => (inputError = err));
    flush();
    await Promise.all(inflight);
    failure ??= inputError;
  } finally {
    if (linger) clearTimeout(linger);
    void lines.return().catch(() => undefined);
    if (input !== ctx.stdin) input.destroy();
    await producer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? sent / seconds : sent;
  if (failure) {
    if (sent > 0) ctx.stderr(`produced ${plural(sent, 'record')} to ${topic} before the error below`);
    throw failure;
  }
  const summary: ProduceOutput = {
    topic,
    records: sent,
    partitions: [...partitions].sort((a, b) => a - b),
    acks: String(o.acks),
    seconds,
    recordsPerSecond: rate,
  };
  const where = partition !== undefined ? `partition ${partition}` : plural(partitions.size, 'partition');
  const text = `produced ${plural(sent, 'record')} to ${topic} (${where}, acks=${o.acks}) in ${seconds.toFixed(2)} s: ${count(rate)} records/s`;
  if (ctx.output() === 'text') ctx.stderr(text);
  else ctx.print(summary, () => text);
}

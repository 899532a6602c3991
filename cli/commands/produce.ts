/**
 * `samsa produce TOPIC`: lines from stdin or --file become records. Lines are gathered into
 * batches (by count and size, or after a short linger when input is slow, as from a terminal) and
 * up to a few batches are in flight at once; the producer keeps each partition's records in order.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Acks, ProducerMessage, Samsa } from '../../libs/client/index.js';
import { CODECS, type CompressionCodec } from '../../libs/record/index.js';
import { PRODUCE_HELP } from '../help.js';
import { count } from '../output.js';
import { UsageError, intFlag, parseCommand, positionals } from '../usage.js';
import { lineToMessage, parseHeaderFlags, type LineFormat } from './produce-input.js';

export interface ProduceIo {
  stdin: Readable;
  stderr: (text: string) => void;
  stdout: (text: string) => void;
}

const MAX_BATCH_LINES = 20_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const LINGER_MS = 20;
const MAX_IN_FLIGHT = 3;

export async function produceCommand(args: string[], client: () => Samsa, io: ProduceIo): Promise<void> {
  const parsed = parseCommand(
    args,
    {
      file: { type: 'string' },
      'key-separator': { type: 'string' },
      acks: { type: 'string' },
      partition: { type: 'string' },
      format: { type: 'string' },
      header: { type: 'string', multiple: true },
      compression: { type: 'string' },
    },
    PRODUCE_HELP,
  );
  if (parsed.values.help) return io.stdout(PRODUCE_HELP);
  const [topic] = positionals(parsed, ['TOPIC'], PRODUCE_HELP) as [string];
  const acks = parseAcks(parsed.values.acks, PRODUCE_HELP);
  const partition = parsed.values.partition === undefined ? undefined : intFlag(parsed.values.partition, 'partition', PRODUCE_HELP);
  const separator = parsed.values['key-separator'];
  if (separator === '') throw new UsageError('--key-separator must not be empty', PRODUCE_HELP);
  const formatName = parsed.values.format ?? 'text';
  if (formatName !== 'text' && formatName !== 'json') throw new UsageError(`--format must be text or json, got "${formatName}"`, PRODUCE_HELP);
  if (formatName === 'json' && separator !== undefined) throw new UsageError('--key-separator is for --format text; JSON lines carry their own "key"', PRODUCE_HELP);
  const format: LineFormat = formatName === 'json' ? { kind: 'json' } : separator === undefined ? { kind: 'text' } : { kind: 'text', keySeparator: separator };
  const headerFlags = parseHeaderFlags(parsed.values.header ?? []);
  if (!headerFlags.ok) throw new UsageError(headerFlags.error, PRODUCE_HELP);
  const headers = headerFlags.headers;

  const compression = compressionFlag(parsed.values.compression, PRODUCE_HELP);
  const producer = client().producer({ acks, compression });
  const input = parsed.values.file ? createReadStream(parsed.values.file) : io.stdin;
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

  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const fileError = new Promise<never>((_, reject) => input.once('error', reject));
  fileError.catch(() => undefined);
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
    lines.close();
    if (input !== io.stdin) input.destroy();
    await producer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? sent / seconds : sent;
  const where = partition !== undefined ? `partition ${partition}` : `${partitions.size} partition${partitions.size === 1 ? '' : 's'}`;
  if (failure) {
    if (sent > 0) io.stderr(`produced ${count(sent)} records to ${topic} before the error below`);
    throw failure;
  }
  io.stderr(`produced ${count(sent)} records to ${topic} (${where}, acks=${acks}) in ${seconds.toFixed(2)} s: ${count(rate)} records/s`);
}

/** --compression none|gzip|snappy|lz4|zstd (default none), or a UsageError pointing at `help`. */
export function compressionFlag(raw: string | undefined, help: string): CompressionCodec {
  if (raw === undefined) return 'none';
  const codec = CODECS.find((c) => c === raw);
  if (!codec) throw new UsageError(`--compression must be one of ${CODECS.join(', ')}, got "${raw}"`, help);
  return codec;
}

/** --acks all|-1|1|0 (default all), or a UsageError pointing at `help`. */
export function parseAcks(raw: string | undefined, help: string): Acks {
  switch (raw) {
    case undefined:
    case 'all':
    case '-1':
      return 'all';
    case '1':
      return 1;
    case '0':
      return 0;
    default:
      throw new UsageError(`--acks must be all, 1 or 0, got "${raw}"`, help);
  }
}

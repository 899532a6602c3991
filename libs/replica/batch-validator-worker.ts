/**
 * The worker thread behind BatchValidatorPool (batch-validator-pool.ts): runs validateForAppend
 * on batches the broker must decompress, and decodes compressed stored batches into records for
 * structured reads, so that decompressing up to the 64 MiB cap (seconds of pure-JS zstd or lz4 for
 * a bomb) never stalls the broker's event loop, its lease keep-alives or other requests. Messages:
 * {id, kind: 'validate', batch, header, topic, what} -> {id, rebuilt, batch when rebuilt}; {id, kind: 'decode', bytes, from} ->
 * {id, records}; either -> {id, reason, message} on failure.
 */
import { parentPort } from 'node:worker_threads';
import { SamsaError } from '../errors/index.js';
import { batchWithHeader, decodeRecordsFrom, type BatchHeader } from '../record/index.js';
import { validateForAppend } from './batch-validator.js';
import type { WireRecord } from './batch-validator-pool.js';
import type { TopicConfigValues } from '../cluster/index.js';

type Request =
  | {
      id: number;
      kind: 'validate';
      batch: Uint8Array;
      header: BatchHeader;
      topic: { name: string; config: TopicConfigValues };
      what: string;
    }
  | { id: number; kind: 'decode'; bytes: Uint8Array; from: number };

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
// A record's fields are views into the decompressed batch: each is copied into a buffer of its own,
// or posting it would clone the whole batch once per view.
const own = (b: Buffer): Uint8Array => new Uint8Array(b);

async function handle(req: Request): Promise<Record<string, unknown>> {
  if (req.kind === 'validate') {
    // The header was checked on the broker's main thread (the produce plan) and travels with the bytes.
    const sent = batchWithHeader(asBuffer(req.batch), req.header);
    const out = await validateForAppend(sent, req.topic, req.what);
    // Unchanged, the main thread keeps its own copy: no need to post the bytes back.
    return out === sent ? { rebuilt: false } : { batch: out.bytes, rebuilt: true };
  }
  const records: WireRecord[] = decodeRecordsFrom(asBuffer(req.bytes), req.from).map((r) => ({
    offset: r.offset,
    timestampMs: r.timestampMs,
    key: r.key === null ? null : own(r.key),
    value: r.value === null ? null : own(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: own(h.value) })),
    leaderEpoch: r.leaderEpoch,
  }));
  return { records };
}

parentPort?.on('message', (req: Request) => {
  handle(req).then(
    (out) => parentPort?.postMessage({ id: req.id, ...out }),
    (err: unknown) =>
      parentPort?.postMessage({
        id: req.id,
        reason: err instanceof SamsaError ? err.reason : 'INTERNAL_ERROR',
        message: err instanceof Error ? err.message : String(err),
      }),
  );
});

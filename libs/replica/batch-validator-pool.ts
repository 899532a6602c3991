/**
 * Decompression off the event loop, for both directions: the leader's batch validation on produce
 * (validate) and the decoding of stored batches into records for the structured Fetch/Consume
 * format (decodeForRead), which plain clients use and which would otherwise expand a compressed
 * batch (up to the 64 MiB cap, seconds of pure-JS zstd) on the broker's event loop, stalling its
 * lease keep-alives and every other request, as the produce path once did.
 *
 * Validation runs where it costs the event loop nothing to wait for: batches that need no record read (uncompressed, topic neither compacted nor
 * recompressing) come back at once; uncompressed batches of compacted topics are walked here
 * (cheap: no decompression); everything that must be decompressed or recompressed goes to one
 * worker thread (batch-validator-worker.ts), in order. A worker that dies is replaced on the next
 * call and its pending calls fail with INTERNAL_ERROR. Owned by the broker: close() ends the worker.
 */
import { Worker } from 'node:worker_threads';
import { SamsaError, isErrorReason } from '../errors/index.js';
import {
  COMPRESSION_MASK,
  builtBatch,
  decodeRecordsFrom,
  iterateBatches,
  type DecodedRecord,
  type ValidatedBatch,
} from '../record/index.js';
import { withConfigDefaults, type TopicConfigValues } from '../cluster/index.js';
import { targetCodec, validateForAppend } from './batch-validator.js';

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/** A decoded record as it crosses from the worker: key, value and header values in buffers of their own. */
export interface WireRecord {
  offset: number;
  timestampMs: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: { key: string; value: Uint8Array }[];
  leaderEpoch: number;
}

interface Reply {
  id: number;
  batch?: Uint8Array;
  /** validate: whether `batch` is a new batch (recompressed) rather than the one sent. */
  rebuilt?: boolean;
  records?: WireRecord[];
  reason?: string;
  message?: string;
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export class BatchValidatorPool {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  /** Batches sent to the worker (metrics, tests). */
  offloaded = 0;
  /** Structured reads decoded in the worker (metrics, tests). */
  decodedOffloaded = 0;

  /** See validateForAppend; `what` names the batch in error messages. */
  async validate(batch: ValidatedBatch, topic: { name: string; config: TopicConfigValues }, what: string): Promise<ValidatedBatch> {
    const config = withConfigDefaults(topic.config);
    const compressed = (batch.header.attributes & COMPRESSION_MASK) !== 0;
    const target = targetCodec(config);
    const recompress = target !== undefined && target !== (compressed ? undefined : 'none');
    if (!compressed && !recompress) return validateForAppend(batch, topic, what);
    const reply = await this.call({
      kind: 'validate',
      batch: batch.bytes,
      header: batch.header,
      topic: { name: topic.name, config },
      what,
    });
    // The worker answers with the batch as it was when it needs no rewrite (same bytes, same header),
    // or with a new one it built.
    return reply.rebuilt ? builtBatch(asBuffer(reply.batch as Uint8Array)) : batch;
  }

  /**
   * The records of the batches in `bytes` from offset `from` on (as decodeRecordsFrom). Batches
   * that are all uncompressed are decoded here (bounded by the read's size); any compressed one
   * sends the whole read to the worker.
   */
  async decodeForRead(bytes: Buffer, from: number): Promise<DecodedRecord[]> {
    let compressed = false;
    for (const { header } of iterateBatches(bytes)) if ((header.attributes & COMPRESSION_MASK) !== 0) compressed = true;
    if (!compressed) return decodeRecordsFrom(bytes, from);
    this.decodedOffloaded++;
    const reply = await this.call({ kind: 'decode', bytes, from });
    return (reply.records ?? []).map((r) => ({
      ...r,
      key: r.key === null ? null : asBuffer(r.key),
      value: r.value === null ? null : asBuffer(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: asBuffer(h.value) })),
    }));
  }

  private call(request: Record<string, unknown>): Promise<Reply> {
    if (this.closed) return Promise.reject(new SamsaError('NOT_READY', 'the broker is shutting down'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    if (request.kind === 'validate') this.offloaded++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...request });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./batch-validator-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.batch || reply.records || reply.rebuilt === false) p.resolve(reply);
      else
        p.reject(
          new SamsaError(
            reply.reason && isErrorReason(reply.reason) ? reply.reason : 'INTERNAL_ERROR',
            reply.message ?? 'batch validation failed',
          ),
        );
    });
    const fail = (why: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new SamsaError('INTERNAL_ERROR', `batch validation worker ${why}; retry`));
      this.pending.clear();
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** Ends the worker; calls in flight fail. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

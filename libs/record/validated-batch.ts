/**
 * A producer's batch together with its header, parsed and checked once where the batch enters the
 * broker (the produce plan) and carried from there to the log, so that no later step (the leader's
 * record checks, the idempotent-producer table, the log's append) parses the header again. The
 * type can only be made by the two functions below: holding one says the header was checked.
 *
 * The header is read before the log stamps the batch: its base offset and leader epoch are the
 * producer's, not the stored ones; everything else (counts, timestamps, producer fields) holds.
 */
import { readBatchHeader, validateBatch, type BatchHeader } from './batch-header.js';

declare const checked: unique symbol;

export interface ValidatedBatch {
  readonly bytes: Buffer;
  readonly header: BatchHeader;
  readonly [checked]: true;
}

/** Checks a batch a client sent (length, magic, counts, CRC-32C: validateBatch) and keeps its header. */
export function validatedBatch(bytes: Buffer): ValidatedBatch {
  return { bytes, header: validateBatch(bytes) } as ValidatedBatch;
}

/** A batch this process has just built (buildBatch, rebuildBatch): valid by construction, its header is read, not re-checked. */
export function builtBatch(bytes: Buffer): ValidatedBatch {
  return { bytes, header: readBatchHeader(bytes, 0) } as ValidatedBatch;
}

/** A batch whose header this process already holds, e.g. one that came back from a worker thread as it was sent there. */
export function batchWithHeader(bytes: Buffer, header: BatchHeader): ValidatedBatch {
  return { bytes, header } as ValidatedBatch;
}

/**
 * The worker thread behind BatchValidatorPool (batch-validator-pool.ts): runs validateForAppend
 * on batches the broker must decompress, so that decompressing up to the 64 MiB cap (seconds of
 * pure-JS zstd or lz4 for a bomb) never stalls the broker's event loop, its lease keep-alives or
 * other partitions' produce. Messages: {id, batch, topic, what} in; {id, batch} or {id, reason,
 * message} out.
 */
import { parentPort } from 'node:worker_threads';
import { SamsaError } from '../errors/index.js';
import { validateForAppend } from './batch-validator.js';
import type { TopicConfigValues } from '../cluster/index.js';

interface Request {
  id: number;
  batch: Uint8Array;
  topic: { name: string; config: TopicConfigValues };
  what: string;
}

parentPort?.on('message', (req: Request) => {
  const batch = Buffer.from(req.batch.buffer, req.batch.byteOffset, req.batch.byteLength);
  validateForAppend(batch, req.topic, req.what).then(
    (out) => parentPort?.postMessage({ id: req.id, batch: out }),
    (err: unknown) =>
      parentPort?.postMessage({
        id: req.id,
        reason: err instanceof SamsaError ? err.reason : 'INTERNAL_ERROR',
        message: err instanceof Error ? err.message : String(err),
      }),
  );
});

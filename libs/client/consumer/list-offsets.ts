/**
 * ListOffsets on a partition's leader, through the retry helper: where an OffsetSpec points now.
 * An exact offset is checked against the partition's valid range (OFFSET_OUT_OF_RANGE, not
 * retriable, when it is outside) and echoed.
 */
import { SamsaError } from '../../errors/index.js';
import { callUnary, type v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { retry, type RetryOptions } from '../../runtime/index.js';
import { toWireOffsetSpec, type OffsetSpec } from './offset-spec.js';
import { callError, STALE_METADATA } from '../errors.js';

export interface ListedOffset {
  offset: number;
  highWatermark: number;
}

/** Forgets the cached leader of `topic` when `err` says it is stale. */
export function invalidateIfStale(cluster: Cluster, topic: string, err: SamsaError): void {
  if (STALE_METADATA.has(err.reason)) cluster.invalidate(topic, err);
}

/** Where `from` points now; `{ last: N }` is the earliest offset's answer moved to max(earliest, high watermark - N). */
export async function listOffset(
  cluster: Cluster,
  topic: string,
  partition: number,
  from: OffsetSpec,
  retryOptions: RetryOptions,
  signal?: AbortSignal,
): Promise<ListedOffset> {
  if (typeof from === 'object' && 'last' in from) {
    if (!Number.isSafeInteger(from.last) || from.last < 0)
      throw new SamsaError('INVALID_REQUEST', `the last N records needs an integer N >= 0, got ${from.last}`);
    const earliest = await listOffset(cluster, topic, partition, 'earliest', retryOptions, signal);
    return { offset: Math.max(earliest.offset, earliest.highWatermark - from.last), highWatermark: earliest.highWatermark };
  }
  const spec = toWireOffsetSpec(from);
  return retry(
    async () => {
      const address = await cluster.leaderAddress(topic, partition);
      try {
        const res = await callUnary<v1.ListOffsetsResponse__Output>(
          address,
          { timeoutMs: cluster.options.requestTimeoutMs, toError: callError },
          (opts, cb) => cluster.pool.broker(address).listOffsets({ topic, partition, spec }, opts, cb),
        );
        return { offset: res.offset, highWatermark: res.highWatermark };
      } catch (err) {
        // Here, not only before a retry: a last attempt's timeout must not leave the stale leader cached.
        if (err instanceof SamsaError) invalidateIfStale(cluster, topic, err);
        throw err;
      }
    },
    retryOptions,
    { onRetry: (err) => invalidateIfStale(cluster, topic, err), ...(signal ? { signal } : {}) },
  );
}

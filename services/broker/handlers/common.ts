/**
 * Small request-edge helpers shared by the handlers: turning wire values into checked domain
 * values, and looking up the local leader replica of a partition.
 */
import { SamsaError } from '../../../libs/errors/index.js';
import { checkedInt32, onShutdown, requiredString, type v1 } from '../../../libs/rpc/index.js';
import type { AckLevel, OffsetQuery, Partition } from '../../../libs/replica/index.js';
import { DEFAULT_MAX_BYTES, type BrokerContext } from './context.js';

export function topicOf(value: string | undefined): string {
  return requiredString(value, 'topic');
}

export function partitionOf(value: number): number {
  return checkedInt32(value, 'partition');
}

/**
 * An offset from the wire. A negative one is a range error with the valid range (the partition
 * says it); a non-integer or one beyond 2^53 is INVALID_REQUEST.
 */
export function offsetOf(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new SamsaError('INVALID_REQUEST', `${field} must be an integer below 2^53, got ${value}`);
  return value;
}

export function ackLevelOf(acks: v1.Acks__Output): AckLevel {
  switch (acks) {
    case 'ACKS_NONE':
      return 'none';
    case 'ACKS_LEADER':
      return 'leader';
    case 'ACKS_ALL':
    case 'ACKS_UNSPECIFIED':
      return 'all';
    default:
      throw new SamsaError('INVALID_REQUEST', `unknown acks value ${String(acks)}`);
  }
}

export function isBatchFormat(format: v1.RecordFormat__Output): boolean {
  if (format === 'RECORD_FORMAT_BATCHES') return true;
  if (format === 'RECORD_FORMAT_STRUCTURED' || format === 'RECORD_FORMAT_UNSPECIFIED') return false;
  throw new SamsaError('INVALID_REQUEST', `unknown record format ${String(format)}`);
}

/** An OffsetSpec from the wire; absent means earliest. Exact offsets are returned as such. */
export function offsetSpecOf(
  spec: v1.OffsetSpec__Output | null | undefined,
  field: string,
): OffsetQuery | { kind: 'offset'; offset: number } {
  switch (spec?.spec) {
    case undefined:
      return { kind: 'earliest' };
    case 'offset':
      return { kind: 'offset', offset: offsetOf(spec.offset ?? 0, `${field}.offset`) };
    case 'timestampMs': {
      const ts = spec.timestampMs ?? 0;
      if (!Number.isSafeInteger(ts)) throw new SamsaError('INVALID_REQUEST', `${field}.timestamp_ms must be an integer, got ${ts}`);
      return { kind: 'timestamp', timestampMs: ts };
    }
    case 'position':
      if (spec.position === 'OFFSET_POSITION_LATEST') return { kind: 'latest' };
      if (spec.position === 'OFFSET_POSITION_EARLIEST' || spec.position === 'OFFSET_POSITION_UNSPECIFIED') return { kind: 'earliest' };
      throw new SamsaError('INVALID_REQUEST', `unknown ${field}.position ${String(spec.position)}`);
  }
}

/**
 * The local replica of a partition this broker leads according to the metadata. Throws
 * LEADER_NOT_AVAILABLE while the replica is still being opened.
 */
export async function localPartition(ctx: BrokerContext, topic: string, partition: number): Promise<Partition> {
  const p = await ctx.replicas.partition(topic, partition);
  if (!p) {
    throw new SamsaError(
      'LEADER_NOT_AVAILABLE',
      `${topic}-${partition} is assigned to broker ${ctx.brokerId} but its replica is not open yet`,
    );
  }
  return p;
}

/** An AbortSignal that fires when the call is cancelled or the broker shuts down; `dispose` removes the listeners. */
export function callSignal(
  call: { on(e: 'cancelled', l: () => void): unknown; off(e: 'cancelled', l: () => void): unknown; cancelled: boolean },
  shutdown: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort();
  call.on('cancelled', onCancel);
  // Not shutdown.addEventListener: one listener per open call trips Node's leak warning (onShutdown).
  const offShutdown = onShutdown(shutdown, onCancel);
  if (call.cancelled) controller.abort();
  return {
    signal: controller.signal,
    dispose: () => {
      call.off('cancelled', onCancel);
      offShutdown();
    },
  };
}

/** Records a read returned, as ConsumedRecords at offsets >= `from`. */
export function toConsumedRecords(
  decoded: readonly {
    offset: number;
    timestampMs: number;
    key: Buffer | null;
    value: Buffer | null;
    headers: readonly { key: string; value: Buffer }[];
    leaderEpoch: number;
  }[],
  partition: number,
  from: number,
): v1.ConsumedRecord[] {
  const out: v1.ConsumedRecord[] = [];
  for (const r of decoded) {
    if (r.offset < from) continue;
    out.push({
      partition,
      offset: r.offset,
      timestampMs: r.timestampMs,
      ...(r.key !== null ? { key: r.key } : {}),
      value: r.value ?? Buffer.alloc(0),
      headers: r.headers.map((h) => ({ key: h.key, value: h.value })),
      leaderEpoch: r.leaderEpoch,
    });
  }
  return out;
}

/** Room left in a gRPC message for the fields around the data. */
const RESPONSE_OVERHEAD_BYTES = 64 * 1024;
/**
 * Decoded records cost more on the wire than in a batch (per-record framing of offset, partition,
 * timestamp, epoch): assume up to 4x for tiny records.
 */
const STRUCTURED_EXPANSION = 4;

/**
 * How many stored bytes one Fetch answer or Consume message may read: the request's max_bytes
 * (default 1 MiB), capped so the answer fits in the gRPC message limit whatever a client asks.
 */
export function readBudget(ctx: BrokerContext, requested: number, batches: boolean): number {
  const wanted = requested > 0 ? requested : DEFAULT_MAX_BYTES;
  const room = Math.max(1, ctx.maxMessageBytes - RESPONSE_OVERHEAD_BYTES);
  return Math.min(wanted, batches ? room : Math.floor(room / STRUCTURED_EXPANSION));
}

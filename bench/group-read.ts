/**
 * One read of a whole topic from its start, three ways, for the group rows of `npm run bench` and
 * for `npm run bench:groups` (issue 17's group-consume item, ADR 0048):
 * - direct: `samsa.consumer()` with every partition assigned (streaming Consume from the leaders);
 * - group, assign-only: an SDK group member with `delivery: 'direct'` (the default): the
 *   coordinator assigns and commits, the member reads from the leaders;
 * - group, relay: `delivery: 'relay'`: the coordinator reads and forwards every record.
 * Each group read uses a new group id, so it starts from the earliest offset.
 */
import type { Samsa } from '../libs/client/index.js';

export const READ_MODES = ['direct consume', 'group, assign-only', 'group, relay'] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** Reads `records` records of `topic` (partitions 0..partitions-1) in `mode`; returns the bytes of their values. */
export async function readWholeTopic(
  samsa: Samsa,
  topic: string,
  partitions: number,
  records: number,
  mode: ReadMode,
  groupSuffix: string,
): Promise<number> {
  if (mode === 'direct consume') {
    const consumer = samsa.consumer({ reset: 'earliest' });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    return drain(consumer.chunks(), records, () => consumer.close());
  }
  const relay = mode === 'group, relay';
  const member = samsa.groupConsumer({
    groupId: `bench-${relay ? 'relay' : 'direct'}-${groupSuffix}`,
    topics: [topic],
    delivery: relay ? 'relay' : 'direct',
  });
  return drain(member.chunks(), records, () => member.close());
}

async function drain(
  chunks: AsyncIterable<readonly { value: Uint8Array | null }[]>,
  records: number,
  close: () => Promise<void>,
): Promise<number> {
  let seen = 0;
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      seen += chunk.length;
      for (const m of chunk) bytes += m.value?.length ?? 0;
      if (seen >= records) break;
    }
  } finally {
    await close();
  }
  return bytes;
}

/**
 * Choosing a partition for a record. Keyed records go where Kafka's default partitioner puts them
 * (BuiltInPartitioner.partitionForKey: murmur2 of the key bytes, sign bit cleared, modulo the
 * partition count), so the same key maps to the same partition number in Samsa and in Kafka.
 * Keyless records are spread round-robin by the caller's {@link RoundRobinPartitioner}.
 */
import { SamsaError } from '../errors/index.js';
import { murmur2, toPositive } from './murmur2.js';

export { murmur2, toPositive } from './murmur2.js';

function checkPartitionCount(numPartitions: number): void {
  if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > 0x7fffffff) {
    throw new SamsaError('INVALID_PARTITIONS', `cannot pick a partition among ${numPartitions}`);
  }
}

/**
 * The partition in [0, numPartitions) for `key` (the key's bytes exactly as sent, e.g. UTF-8 of a
 * string key). Throws INVALID_PARTITIONS when numPartitions is not a positive int32.
 */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  checkPartitionCount(numPartitions);
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * Round-robin over partitions for keyless records, as Kafka's RoundRobinPartitioner (one counter,
 * taken modulo the partition count of the moment). Not shared across processes; one instance per
 * producer or broker. Synchronous, so safe to call from any callback on one event loop.
 */
export class RoundRobinPartitioner {
  private counter: number;

  /** `start` is the first counter value (default 0); pass a random one to spread many instances. */
  constructor(start = 0) {
    this.counter = start | 0;
  }

  /** The next partition in [0, numPartitions). Throws INVALID_PARTITIONS when numPartitions is not a positive int32. */
  next(numPartitions: number): number {
    checkPartitionCount(numPartitions);
    const partition = toPositive(this.counter) % numPartitions;
    this.counter = (this.counter + 1) | 0;
    return partition;
  }
}

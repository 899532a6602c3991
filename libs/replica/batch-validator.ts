/**
 * What the leader checks, and may rewrite, in a batch before appending it (Kafka's LogValidator),
 * beyond what planProduce's header checks (length, magic, counts, CRC-32C) already did:
 *
 * - A compressed batch is decompressed, within the decompression cap (64 MiB, ADR 0018), and its
 *   records walked: the count must match the header, each record must parse and fill the batch
 *   exactly, and offset deltas must be 0, 1, 2, ... A bomb or a batch that lies about its records
 *   is refused here with CORRUPT_MESSAGE instead of being stored as a poison batch for readers.
 * - A compacted topic (cleanup.policy has compact) takes only keyed records (INVALID_REQUEST):
 *   the cleaner could not keep a keyless one. Uncompressed batches are walked for this too.
 * - compression.type other than "producer": a batch not already in that codec is rebuilt in it
 *   ("uncompressed" writes records uncompressed). Offsets deltas, producer id/epoch/sequence and
 *   attributes other than the codec stay as sent.
 *
 * An uncompressed batch for a topic with compression.type=producer that is not compacted is
 * returned as it came, without reading a record: the produce hot path keeps batches as bytes.
 */
import { SamsaError } from '../errors/index.js';
import {
  COMPRESSION_MASK,
  CODECS,
  builtBatch,
  decodeBatch,
  rebuildBatch,
  type CompressionCodec,
  type DecodedRecord,
  type ValidatedBatch,
} from '../record/index.js';
import { withConfigDefaults, type TopicConfigValues } from '../cluster/index.js';

/** The codec a topic's compression.type asks for, or undefined for "producer". */
export function targetCodec(config: TopicConfigValues): CompressionCodec | undefined {
  const type = withConfigDefaults(config).compressionType;
  if (type === 'producer') return undefined;
  return type === 'uncompressed' ? 'none' : type;
}

/**
 * Checks `validated` (its header checked by the produce plan) against the topic's rules above and
 * returns the batch to append: `validated` itself, or its recompressed form. `what` names the batch
 * in error messages.
 */
export async function validateForAppend(
  validated: ValidatedBatch,
  topic: { name: string; config: TopicConfigValues },
  what: string,
): Promise<ValidatedBatch> {
  const { bytes: batch, header } = validated;
  const codecId = header.attributes & COMPRESSION_MASK;
  const config = withConfigDefaults(topic.config);
  const compacted = config.cleanupPolicy !== 'delete';
  const target = targetCodec(config);
  const recompress = target !== undefined && CODECS[codecId] !== target;
  if (codecId === 0 && !compacted && !recompress) return validated;
  let records: DecodedRecord[];
  try {
    records = decodeBatch(batch);
  } catch (err) {
    if (err instanceof SamsaError) throw new SamsaError(err.reason, `${what}: ${err.message}`);
    throw err;
  }
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as DecodedRecord;
    if (r.offset !== header.baseOffset + i) {
      throw new SamsaError(
        'CORRUPT_MESSAGE',
        `${what}: record ${i} has offset delta ${r.offset - header.baseOffset}, expected ${i} (a producer's batch numbers its records 0, 1, 2, ...)`,
      );
    }
    if (compacted && r.key === null) {
      throw new SamsaError(
        'INVALID_REQUEST',
        `${what}: record ${i} has no key, but topic ${topic.name} is compacted (cleanup.policy=${config.cleanupPolicy}) and compaction keeps records by key`,
      );
    }
  }
  return recompress ? builtBatch(await rebuildBatch(header, records, target)) : validated;
}

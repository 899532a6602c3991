/**
 * The record a dead-letter topic gets for a record whose handler failed: the same key, value,
 * timestamp and headers, plus headers saying where it came from and why (Kafka Connect's and
 * Spring's dead-letter topics do the same with their own names):
 *
 *   samsa.dlt.original.topic / .partition / .offset   where the record is
 *   samsa.dlt.error.name / samsa.dlt.error.message    the handler's last error
 *   samsa.dlt.attempts                                how many times the handler ran it
 *   samsa.dlt.group                                   the consumer's group, when it has one
 *
 * The key is kept, so records with one key land on one partition of the dead-letter topic too.
 * An original header with one of these names is replaced.
 */
import type { ProducerMessage } from '../producer/messages.js';
import type { FailedRecord } from './executor.js';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: number;
  group: string | undefined;
}

/** At most this many bytes of an error message go into a header. */
const MAX_MESSAGE_BYTES = 4096;

export function deadLetterMessage(record: FailedRecord, from: DeadLetterSource, error: Error, attempts: number): ProducerMessage {
  const headers: Record<string, Buffer | string> = {};
  for (const h of record.headers) headers[h.key] = h.value;
  headers['samsa.dlt.original.topic'] = from.topic;
  headers['samsa.dlt.original.partition'] = String(from.partition);
  headers['samsa.dlt.original.offset'] = String(from.offset);
  headers['samsa.dlt.error.name'] = error.name;
  headers['samsa.dlt.error.message'] = Buffer.from(error.message).subarray(0, MAX_MESSAGE_BYTES);
  headers['samsa.dlt.attempts'] = String(attempts);
  if (from.group !== undefined) headers['samsa.dlt.group'] = from.group;
  return { key: record.key, value: record.value, headers, ...(record.timestampMs > 0 ? { timestampMs: record.timestampMs } : {}) };
}

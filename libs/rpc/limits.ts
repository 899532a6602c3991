/**
 * Maximum lengths of the strings a request may carry: ids and names. Enforced in one place, the
 * request validator (request-validator.ts), on the wire bytes before a request is decoded, so no
 * handler sees an over-long id. Lengths are in bytes of UTF-8 (what a client in any language can
 * count without knowing our string type), and are documented on the fields in proto/samsa/v1.
 *
 * The numbers follow Kafka where it has one: topic names 249 characters (all ASCII, so bytes);
 * offset commit metadata 4096 bytes (Kafka's offset.metadata.max.bytes default). Kafka bounds its
 * other protocol strings only by their int16 length prefix (32767 bytes); an id that long is a
 * mistake or an attack, so ids here stop at 255 bytes (what Kafka users meet in practice is far
 * shorter: a member id is a client id plus a UUID), and any other string at Kafka's 32767.
 */
import type { ErrorReason } from '../errors/index.js';

export const MAX_TOPIC_NAME_BYTES = 249;
/** Group ids (and the group_instance_id of static membership). */
export const MAX_GROUP_ID_BYTES = 255;
export const MAX_MEMBER_ID_BYTES = 255;
/** Client ids: the `samsa-client-id` request header quotas key on, and QuotaEntity.client_id. */
export const MAX_CLIENT_ID_BYTES = 255;
/** Keys of record headers in the structured form (pre-encoded batches are not decoded on the broker). */
export const MAX_HEADER_KEY_BYTES = 1024;
/** Free-form metadata stored with a committed offset (Kafka: offset.metadata.max.bytes). */
export const MAX_OFFSET_METADATA_BYTES = 4096;
/** Any other string field of a request (Kafka's protocol STRING: int16 length). */
export const MAX_STRING_BYTES = 32767;

export interface StringLimit {
  maxBytes: number;
  /** What the field holds, for the error message: "group id", "topic name". */
  what: string;
  reason: ErrorReason;
}

const TOPIC: StringLimit = { maxBytes: MAX_TOPIC_NAME_BYTES, what: 'topic name', reason: 'INVALID_TOPIC_NAME' };
const GROUP: StringLimit = { maxBytes: MAX_GROUP_ID_BYTES, what: 'group id', reason: 'INVALID_REQUEST' };
const INSTANCE: StringLimit = { maxBytes: MAX_GROUP_ID_BYTES, what: 'group instance id', reason: 'INVALID_REQUEST' };
const MEMBER: StringLimit = { maxBytes: MAX_MEMBER_ID_BYTES, what: 'member id', reason: 'INVALID_REQUEST' };
const HEADER_KEY: StringLimit = { maxBytes: MAX_HEADER_KEY_BYTES, what: 'record header key', reason: 'INVALID_REQUEST' };
const CLIENT_ID: StringLimit = { maxBytes: MAX_CLIENT_ID_BYTES, what: 'client id', reason: 'INVALID_REQUEST' };
const OFFSET_METADATA: StringLimit = { maxBytes: MAX_OFFSET_METADATA_BYTES, what: 'offset commit metadata', reason: 'INVALID_REQUEST' };
const ANY_STRING: StringLimit = { maxBytes: MAX_STRING_BYTES, what: 'string', reason: 'INVALID_REQUEST' };

/**
 * Limits by field. Keys are `Message.field` (message without package, field in proto's
 * snake_case) or `*.field` for a field of that name in any message; the first match wins, and a
 * string field that matches nothing gets MAX_STRING_BYTES. test/unit/rpc/limits.test.ts lists every
 * string field of every request so a new one is a decision, not an accident.
 */
const LIMITS: ReadonlyArray<readonly [string, StringLimit]> = [
  ['*.topic', TOPIC],
  ['*.topics', TOPIC],
  ['CreateTopicRequest.name', TOPIC],
  ['CreateInternalTopicRequest.name', TOPIC],
  ['DeleteTopicRequest.name', TOPIC],
  ['CreatePartitionsRequest.name', TOPIC],
  ['AlterTopicConfigRequest.name', TOPIC],
  ['DescribeTopicsRequest.names', TOPIC],
  ['ShareJoin.dead_letter_topic', TOPIC],
  ['*.group_id', GROUP],
  ['*.group_instance_id', INSTANCE],
  ['*.member_id', MEMBER],
  ['RecordHeader.key', HEADER_KEY],
  ['OffsetCommit.metadata', OFFSET_METADATA],
  ['QuotaEntity.client_id', CLIENT_ID],
];

/** The limit of string field `field` (snake_case) of message `message` (full or short name). */
export function stringLimitOf(message: string, field: string): StringLimit {
  const short = message.slice(message.lastIndexOf('.') + 1);
  for (const [key, limit] of LIMITS) {
    if (key === `${short}.${field}` || key === `*.${field}`) return limit;
  }
  return ANY_STRING;
}

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type * as grpc from '@grpc/grpc-js';
import { loadSamsaProto } from '../../../libs/rpc/index.js';
import { RequestValidator } from '../../../libs/rpc/request-validator.js';
import { InvalidRequest } from '../../../libs/rpc/strict-requests.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { MAX_GROUP_ID_BYTES, MAX_HEADER_KEY_BYTES, MAX_TOPIC_NAME_BYTES, stringLimitOf } from '../../../libs/rpc/limits.js';

const { definition } = loadSamsaProto();
const validator = new RequestValidator(definition);
const service = (name: string): grpc.ServiceDefinition => definition[`samsa.v1.${name}`] as grpc.ServiceDefinition;
const createTopic = service('ControllerService').CreateTopic!;
const produce = service('BrokerService').Produce!;
const commit = service('CoordinatorService').CommitOffsets!;

function reject(type: string, hex: string | Buffer): SamsaError {
  const bytes = typeof hex === 'string' ? Buffer.from(hex.replace(/ /g, ''), 'hex') : hex;
  try {
    validator.validate(type, bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(SamsaError);
    return err as SamsaError;
  }
  throw new Error(`accepted ${bytes.toString('hex')}`);
}

describe('strict request validation', () => {
  it('accepts what our own serializer writes, including packed and unknown fields', () => {
    const req = { name: 'orders', partitions: 3, replicationFactor: 1, config: { retentionMs: -1, cleanupPolicy: 'compact' } };
    const bytes = Buffer.from(createTopic.requestSerialize(req));
    validator.validate('samsa.v1.CreateTopicRequest', bytes);
    // An unknown varint (field 15), fixed32 (16), fixed64 (17), length-delimited (18) and group (19) after it.
    const unknown = Buffer.from(
      '7801' + '8501' + '01020304' + '8901' + '0102030405060708' + '9201' + '03616263' + '9b01' + '0801' + '9c01',
      'hex',
    );
    validator.validate('samsa.v1.CreateTopicRequest', Buffer.concat([bytes, unknown]));
    const p = {
      topic: 't',
      records: [{ key: Buffer.from('k'), value: Buffer.alloc(1000, 7), headers: [{ key: 'h', value: Buffer.from('v') }] }],
      batches: [{ partition: 0, batch: Buffer.alloc(5000, 1) }],
    };
    validator.validate('samsa.v1.ProduceRequest', Buffer.from(produce.requestSerialize(p)));
    // FetchOffsetsRequest.partitions[].partitions is a repeated int32: packed (as written) and unpacked.
    validator.validate('samsa.v1.TopicPartitions', Buffer.from('0a0174' + '1203010203', 'hex'));
    validator.validate('samsa.v1.TopicPartitions', Buffer.from('0a0174' + '1001' + '1002', 'hex'));
  });

  it('rejects a length prefix past the end (the 0xFFFFFFFF topic name of issue 14)', () => {
    expect(reject('samsa.v1.CreateTopicRequest', '0a ffffffff0f 41').message).toMatch(
      /CreateTopicRequest.name has length 4294967295 but only 1 bytes are left/,
    );
    expect(reject('samsa.v1.CreateTopicRequest', '0a 03 41').reason).toBe('INVALID_REQUEST');
    expect(reject('samsa.v1.CreateTopicRequest', '0a ffffffffffffffffff01 41').message).toMatch(/over 2\^32/);
  });

  it('rejects wrong wire types, truncation, bad tags and invalid UTF-8', () => {
    expect(reject('samsa.v1.CreateTopicRequest', '08 01').message).toMatch(
      /CreateTopicRequest.name \(1\) has wire type varint, expected length-delimited/,
    );
    expect(reject('samsa.v1.CreateTopicRequest', '12 01 00').message).toMatch(
      /CreateTopicRequest.partitions \(2\) has wire type length-delimited/,
    );
    expect(reject('samsa.v1.CreateTopicRequest', '10 ff').message).toMatch(/runs past the end/);
    expect(reject('samsa.v1.CreateTopicRequest', '00 01').message).toMatch(/field number 0/);
    expect(reject('samsa.v1.CreateTopicRequest', '0f').message).toMatch(/invalid wire type 7/);
    expect(reject('samsa.v1.CreateTopicRequest', '7d 0102').message).toMatch(/needs 4 bytes/);
    expect(reject('samsa.v1.CreateTopicRequest', '0a 02 c328').message).toMatch(/not valid UTF-8/);
    expect(reject('samsa.v1.CreateTopicRequest', '0a 03 eda080').message).toMatch(/not valid UTF-8/); // a lone surrogate
    expect(reject('samsa.v1.CreateTopicRequest', '10 ffffffffffffffffffff01').message).toMatch(/longer than 10 bytes/);
    // Inside a nested message: the config's cleanup_policy (field 5 of TopicConfig) cut short.
    expect(reject('samsa.v1.CreateTopicRequest', '0a0174 22 04 2a 05 6465').message).toMatch(
      /TopicConfig.cleanup_policy has length 5 but only 2/,
    );
    // A nested message whose length is longer than its parent.
    expect(reject('samsa.v1.CreateTopicRequest', '22 09 3001').message).toMatch(/CreateTopicRequest.config has length 9/);
    expect(reject('samsa.v1.CreateTopicRequest', '9b01 0801').message).toMatch(/no end-group tag/);
    expect(reject('samsa.v1.TopicPartitions', '1204 010203').message).toMatch(/partitions has length 4 but only 3/);
  });

  it('enforces the documented limits on ids and names', () => {
    const long = (n: number): string => 'x'.repeat(n);
    const ok = { groupId: long(MAX_GROUP_ID_BYTES), memberId: '', generation: -1, offsets: [] };
    validator.validate('samsa.v1.CommitOffsetsRequest', Buffer.from(commit.requestSerialize(ok)));
    const e = reject(
      'samsa.v1.CommitOffsetsRequest',
      Buffer.from(commit.requestSerialize({ ...ok, groupId: long(MAX_GROUP_ID_BYTES + 1) })),
    );
    expect(e.message).toBe('CommitOffsetsRequest.group_id: the group id is 256 bytes long; the limit is 255 bytes of UTF-8');
    const t = reject('samsa.v1.CreateTopicRequest', Buffer.from(createTopic.requestSerialize({ name: long(MAX_TOPIC_NAME_BYTES + 1) })));
    expect(t.reason).toBe('INVALID_TOPIC_NAME');
    const h = reject(
      'samsa.v1.ProduceRequest',
      Buffer.from(
        produce.requestSerialize({
          topic: 't',
          records: [{ value: Buffer.from('v'), headers: [{ key: long(MAX_HEADER_KEY_BYTES + 1) }] }],
        }),
      ),
    );
    expect(h.message).toMatch(/RecordHeader.key: the record header key is 1025 bytes/);
    expect(stringLimitOf('samsa.v1.JoinGroup', 'group_instance_id').maxBytes).toBe(255);
    expect(stringLimitOf('samsa.v1.OffsetCommit', 'metadata').maxBytes).toBe(4096);
  });

  it('an overlong 32-bit varint (6..9 bytes), which protobufjs would read past, is refused; a 10-byte negative int32 passes', () => {
    // Found by the property below (seed -56006324): acks = 0 in 6 bytes. protobufjs reads 5 bytes
    // of a 32-bit varint and skips 5 more, so here it ran off the end, and with bytes after it it
    // would have taken a following field's bytes as part of the varint.
    expect(reject('samsa.v1.ProduceRequest', '10 80 80 80 80 80 00').message).toMatch(
      /ProduceRequest.acks is a 32-bit varint of 6 bytes \(at most 5, or 10 for a negative value\)/,
    );
    const swallowed = Buffer.from('1080808080800028ffffffff0f0a0161', 'hex'); // acks (6 bytes), partition, topic "a"
    reject('samsa.v1.ProduceRequest', swallowed);
    expect(produce.requestDeserialize(swallowed)).not.toMatchObject({ topic: 'a' });
    // A tag or a length in 6 bytes likewise; a 64-bit field may use them (protobufjs reads those exactly).
    expect(reject('samsa.v1.ProduceRequest', '8a 80 80 80 80 00 01 61').message).toMatch(/field tag is a 32-bit varint of 6 bytes/);
    expect(reject('samsa.v1.ProduceRequest', '0a 81 80 80 80 80 00 61').message).toMatch(
      /length of ProduceRequest.topic is a 32-bit varint/,
    );
    const negative = Buffer.from(produce.requestSerialize({ topic: 't', partition: -1 }));
    expect(negative.includes(Buffer.from('28ffffffffffffffffff01', 'hex'))).toBe(true);
    validator.validate('samsa.v1.ProduceRequest', negative);
    expect(produce.requestDeserialize(negative)).toMatchObject({ topic: 't', partition: -1 });
  });

  it('never throws anything but a SamsaError, and what it accepts protobufjs decodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buf = Buffer.from(bytes);
        let accepted = true;
        try {
          validator.validate('samsa.v1.ProduceRequest', buf);
        } catch (err) {
          expect(err).toBeInstanceOf(SamsaError);
          accepted = false;
        }
        const decoded = produce.requestDeserialize(buf);
        if (accepted) expect(decoded).not.toBeInstanceOf(InvalidRequest);
        else expect(decoded).toBeInstanceOf(InvalidRequest);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every prefix of a valid message that ends on a field boundary, and no other', () => {
    const bytes = Buffer.from(
      createTopic.requestSerialize({ name: 'orders', partitions: 3, replicationFactor: 2, config: { cleanupPolicy: 'compact' } }),
    );
    const boundaries = new Set([0]);
    // name: 2 + 6 bytes, partitions: 2, replication_factor: 2, config: 2 + 9.
    for (const n of [8, 10, 12, bytes.length]) boundaries.add(n);
    for (let n = 0; n <= bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      if (boundaries.has(n)) validator.validate('samsa.v1.CreateTopicRequest', cut);
      else reject('samsa.v1.CreateTopicRequest', Buffer.from(cut));
    }
  });
});

describe('string limits', () => {
  it('every string field of every request has a deliberate limit', () => {
    const seen = new Map<string, number>();
    const visit = (name: string, stack: Set<string>): void => {
      if (stack.has(name)) return;
      stack.add(name);
      for (const field of validator.plan(name).fields.values()) {
        if (field.limit) seen.set(field.label, field.limit.maxBytes);
        if (field.message) visit(field.message.name, stack);
      }
    };
    for (const entry of Object.values(definition)) {
      if ('format' in entry) continue;
      for (const method of Object.values(entry)) visit(`samsa.v1.${(method.requestType.type as { name: string }).name}`, new Set());
    }
    expect(Object.fromEntries([...seen].sort())).toEqual(EXPECTED_LIMITS);
  });
});

// A new string field in a request lands here: give it a limit in libs/rpc/limits.ts if it is an id or a name.
const EXPECTED_LIMITS: Record<string, number> = {
  'AclBinding.host': 32767,
  'AclBinding.principal': 32767,
  'AclBinding.resource_name': 32767,
  'AclBindingFilter.host': 32767,
  'AclBindingFilter.principal': 32767,
  'AclBindingFilter.resource_name': 32767,
  'AlterTopicConfigRequest.name': 249,
  'CommitOffsetsRequest.group_id': 255,
  'CommitOffsetsRequest.member_id': 255,
  'ConsumeRequest.topic': 249,
  'CreateInternalTopicRequest.name': 249,
  'CreatePartitionsRequest.name': 249,
  'CreateTopicRequest.name': 249,
  'DeleteGroupRequest.group_id': 255,
  'DeleteTopicRequest.name': 249,
  'DescribeGroupRequest.group_id': 255,
  'DescribeTopicsRequest.names': 249,
  'FetchOffsetsRequest.group_id': 255,
  'FetchRequest.topic': 249,
  'FindCoordinatorRequest.group_id': 255,
  'GetMetadataRequest.topics': 249,
  'HoldKafkaGroupRequest.group_id': 255,
  'HoldKafkaGroupRequest.holder': 32767,
  'JoinGroup.group_id': 255,
  'JoinGroup.group_instance_id': 255,
  'JoinGroup.topics': 249,
  'ListOffsetsRequest.topic': 249,
  'OffsetCommit.metadata': 4096,
  'OffsetCommit.topic': 249,
  'ProcessedOffset.topic': 249,
  'PartitionSelection.topic': 249,
  'ProduceRequest.topic': 249,
  'QuotaEntity.client_id': 255,
  'QuotaEntity.user': 32767,
  'RecordHeader.key': 1024,
  'ReplicaAssignment.topic': 249,
  'ReplicaPartitionPosition.topic': 249,
  'ReplicaPartitionRef.topic': 249,
  'ReplicaSelection.topic': 249,
  'ShareAck.topic': 249,
  'ShareJoin.dead_letter_topic': 249,
  'ShareJoin.group_id': 255,
  'ShareJoin.topics': 249,
  'ResetOffsetsRequest.group_id': 255,
  'ResetOffsetsRequest.topic': 249,
  'TopicConfig.cleanup_policy': 32767,
  'TopicConfig.compression_type': 32767,
  'TopicPartitions.topic': 249,
};

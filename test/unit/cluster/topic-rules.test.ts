/**
 * Topic names, partition counts and topic configs: what is accepted, what is refused, and that
 * every refusal is a SamsaError with the reason clients switch on and a message naming the problem.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SamsaError } from '../../../libs/errors/index.js';
import {
  DEFAULT_TOPIC_CONFIG,
  MAX_PARTITIONS,
  MAX_TOPIC_NAME_LENGTH,
  resolveTopicConfig,
  type TopicConfigRequest,
  validatePartitionCount,
  validateTopicName,
} from '../../../libs/cluster/index.js';

/** Runs `fn`, expects a SamsaError, returns it. */
function refusal(fn: () => unknown): SamsaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SamsaError);
    return err as SamsaError;
  }
  throw new Error('expected a SamsaError, but the call succeeded');
}

const LEGAL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';

describe('validateTopicName', () => {
  it.each(['a', 'orders', 'Orders.v2', 'my_topic-1', '__consumer_offsets', '...', '.a', 'a..b', '0', '-', '_'])('accepts %j', (name) => {
    expect(() => validateTopicName(name)).not.toThrow();
  });

  it('accepts exactly 249 characters and refuses 250', () => {
    expect(MAX_TOPIC_NAME_LENGTH).toBe(249);
    expect(() => validateTopicName('x'.repeat(249))).not.toThrow();
    const e = refusal(() => validateTopicName('x'.repeat(250)));
    expect(e.reason).toBe('INVALID_TOPIC_NAME');
    expect(e.message).toContain('250');
    expect(e.message).toContain('249');
  });

  it.each([
    ['empty', ''],
    ['dot', '.'],
    ['dot dot', '..'],
    ['slash', 'a/b'],
    ['leading slash', '/a'],
    ['space', 'a b'],
    ['tab', 'a\tb'],
    ['newline', 'a\n'],
    ['colon', 'a:b'],
    ['star', 'a*'],
    ['unicode letter', 'caf\u00e9'],
    ['emoji', 'topic\u{1F600}'],
    ['cyrillic look-alike', '\u0430bc'],
    ['NUL', 'a\u0000b'],
  ])('refuses %s', (_what, name) => {
    const e = refusal(() => validateTopicName(name));
    expect(e.reason).toBe('INVALID_TOPIC_NAME');
    expect(e.message.length).toBeGreaterThan(0);
  });

  it('property: accepts every 1..249-char string of legal characters except "." and ".."', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...LEGAL_CHARS), minLength: 1, maxLength: 249 }), (name) => {
        fc.pre(name !== '.' && name !== '..');
        validateTopicName(name);
      }),
    );
  });

  it('property: refuses any name containing a character outside [a-zA-Z0-9._-]', () => {
    const illegal = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }).filter((s) => /[^a-zA-Z0-9._-]/.test(s));
    const legal = fc.string({ unit: fc.constantFrom(...LEGAL_CHARS), maxLength: 50 });
    fc.assert(
      fc.property(legal, illegal, legal, (a, bad, b) => {
        expect(refusal(() => validateTopicName(a + bad + b)).reason).toBe('INVALID_TOPIC_NAME');
      }),
    );
  });
});

describe('validatePartitionCount', () => {
  it.each([1, 2, 100, MAX_PARTITIONS])('accepts %d', (n) => {
    expect(() => validatePartitionCount(n)).not.toThrow();
  });

  it.each([0, -1, MAX_PARTITIONS + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d with INVALID_PARTITIONS', (n) => {
    const e = refusal(() => validatePartitionCount(n));
    expect(e.reason).toBe('INVALID_PARTITIONS');
    expect(e.message).toContain(String(MAX_PARTITIONS));
  });
});

describe('resolveTopicConfig', () => {
  it('fills every default when nothing is requested', () => {
    expect(resolveTopicConfig(undefined, 3)).toEqual(DEFAULT_TOPIC_CONFIG);
    expect(resolveTopicConfig(null, 1)).toEqual(DEFAULT_TOPIC_CONFIG);
    expect(resolveTopicConfig({}, 1)).toEqual(DEFAULT_TOPIC_CONFIG);
  });

  it('keeps requested values and defaults the rest', () => {
    const c = resolveTopicConfig({ retentionMs: 60_000, cleanupPolicy: 'compact', minInsyncReplicas: 2, uncleanLeaderElection: true }, 3);
    expect(c).toEqual({
      ...DEFAULT_TOPIC_CONFIG,
      retentionMs: 60_000,
      cleanupPolicy: 'compact',
      minInsyncReplicas: 2,
      uncleanLeaderElection: true,
    });
  });

  it('takes Kafka\'s compaction and compression settings, with "delete,compact" stored as "compact,delete"', () => {
    const c = resolveTopicConfig(
      {
        cleanupPolicy: 'delete,compact',
        compressionType: 'lz4',
        minCleanableDirtyRatio: 0.1,
        deleteRetentionMs: 0,
        minCompactionLagMs: 5,
        maxCompactionLagMs: 10,
      },
      1,
    );
    expect(c).toMatchObject({
      cleanupPolicy: 'compact,delete',
      compressionType: 'lz4',
      minCleanableDirtyRatio: 0.1,
      deleteRetentionMs: 0,
      minCompactionLagMs: 5,
      maxCompactionLagMs: 10,
    });
    expect(() => resolveTopicConfig({ minCompactionLagMs: 10, maxCompactionLagMs: 5 }, 1)).toThrow(/max.compaction.lag.ms/);
  });

  it('accepts numeric strings (int64 fields may arrive as strings) and -1 for retention', () => {
    const c = resolveTopicConfig({ retentionMs: '-1', retentionBytes: -1, segmentBytes: String(1024 * 1024) }, 1);
    expect(c.retentionMs).toBe(-1);
    expect(c.retentionBytes).toBe(-1);
    expect(c.segmentBytes).toBe(1024 * 1024);
  });

  it('accepts the bounds of every range', () => {
    const c = resolveTopicConfig(
      { retentionMs: 1, retentionBytes: 1, segmentBytes: 1024 * 1024 * 1024, segmentMs: 1000, maxMessageBytes: 1024, minInsyncReplicas: 3 },
      3,
    );
    expect(c).toMatchObject({
      retentionMs: 1,
      retentionBytes: 1,
      segmentBytes: 1024 * 1024 * 1024,
      segmentMs: 1000,
      maxMessageBytes: 1024,
      minInsyncReplicas: 3,
    });
    expect(resolveTopicConfig({ maxMessageBytes: 64 * 1024 * 1024 - 1024, segmentBytes: 1024 * 1024 }, 1).maxMessageBytes).toBe(
      64 * 1024 * 1024 - 1024,
    );
  });

  const outOfRange: [string, TopicConfigRequest][] = [
    ['retention.ms', { retentionMs: 0 }],
    ['retention.ms', { retentionMs: -2 }],
    ['retention.ms', { retentionMs: 1.5 }],
    ['retention.ms', { retentionMs: 'soon' }],
    ['retention.bytes', { retentionBytes: 0 }],
    ['retention.bytes', { retentionBytes: -5 }],
    ['segment.bytes', { segmentBytes: 1024 * 1024 - 1 }],
    ['segment.bytes', { segmentBytes: 1024 * 1024 * 1024 + 1 }],
    ['segment.bytes', { segmentBytes: -1 }],
    ['segment.ms', { segmentMs: 999 }],
    ['segment.ms', { segmentMs: -1 }],
    ['max.message.bytes', { maxMessageBytes: 1023 }],
    ['max.message.bytes', { maxMessageBytes: 64 * 1024 * 1024 }],
    ['min.insync.replicas', { minInsyncReplicas: 0 }],
    ['min.insync.replicas', { minInsyncReplicas: -1 }],
    ['cleanup.policy', { cleanupPolicy: 'compact,shred' }],
    ['cleanup.policy', { cleanupPolicy: 'DELETE' }],
    ['compression.type', { compressionType: 'brotli' }],
    ['min.cleanable.dirty.ratio', { minCleanableDirtyRatio: 1.5 }],
    ['delete.retention.ms', { deleteRetentionMs: -1 }],
    ['max.compaction.lag.ms', { maxCompactionLagMs: 0 }],
  ];
  it.each(outOfRange)('refuses an out-of-range %s (%j) with INVALID_CONFIG naming the key', (key, requested) => {
    const e = refusal(() => resolveTopicConfig(requested, 3));
    expect(e.reason).toBe('INVALID_CONFIG');
    expect(e.message).toContain(key);
  });

  it('refuses min.insync.replicas greater than the replication factor', () => {
    expect(resolveTopicConfig({ minInsyncReplicas: 2 }, 2).minInsyncReplicas).toBe(2);
    const e = refusal(() => resolveTopicConfig({ minInsyncReplicas: 3 }, 2));
    expect(e.reason).toBe('INVALID_CONFIG');
    expect(e.message).toContain('min.insync.replicas');
    expect(e.message).toContain('3');
    expect(refusal(() => resolveTopicConfig({ minInsyncReplicas: 2 }, 1)).reason).toBe('INVALID_CONFIG');
  });

  it('property: min.insync.replicas is accepted iff 1 <= value <= replication factor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: -3, max: 12 }), (rf, minIsr) => {
        const ok = minIsr >= 1 && minIsr <= rf;
        if (ok) expect(resolveTopicConfig({ minInsyncReplicas: minIsr }, rf).minInsyncReplicas).toBe(minIsr);
        else expect(refusal(() => resolveTopicConfig({ minInsyncReplicas: minIsr }, rf)).reason).toBe('INVALID_CONFIG');
      }),
    );
  });
});

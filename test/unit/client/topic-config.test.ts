import { describe, expect, it } from 'vitest';
import { topicConfigEntries, topicConfigFromEntries } from '../../../libs/client/admin/topic-config.js';

describe('topic config by Kafka names', () => {
  it('maps known keys to the proto fields with typed values', () => {
    expect(
      topicConfigFromEntries({
        'retention.ms': '86400000',
        'cleanup.policy': 'compact',
        'min.insync.replicas': '2',
        'unclean.leader.election.enable': 'false',
      }),
    ).toEqual({ retentionMs: 86400000, cleanupPolicy: 'compact', minInsyncReplicas: 2, uncleanLeaderElection: false });
  });

  it('refuses unknown keys and bad values with INVALID_CONFIG', () => {
    expect(() => topicConfigFromEntries({ 'retention.hours': '1' })).toThrow(/unknown topic config "retention.hours"/);
    expect(() => topicConfigFromEntries({ 'segment.bytes': 'big' })).toThrow(/must be an integer/);
    expect(() => topicConfigFromEntries({ 'cleanup.policy': 'shred' })).toThrow(/delete, compact or compact,delete/);
    expect(() => topicConfigFromEntries({ 'unclean.leader.election.enable': 'yes' })).toThrow(/true or false/);
    try {
      topicConfigFromEntries({ nope: '1' });
    } catch (err) {
      expect(err).toMatchObject({ reason: 'INVALID_CONFIG' });
    }
  });

  it('prints an effective config back by Kafka names', () => {
    expect(topicConfigEntries({ retentionMs: 1000, maxMessageBytes: 1048576 })).toEqual({
      'retention.ms': '1000',
      'max.message.bytes': '1048576',
    });
  });
});

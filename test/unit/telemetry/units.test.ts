import { describe, expect, it } from 'vitest';
import { withUnitSuffix } from '../../../libs/telemetry/prometheus-endpoint.js';
import { acksLabel } from '../../../libs/telemetry/index.js';
import { rpcMethod, statusName, isServerError } from '../../../libs/telemetry/grpc/method.js';

describe('Prometheus names and labels', () => {
  it('adds the unit as a suffix once, and none for units Prometheus has no suffix for', () => {
    expect(withUnitSuffix('samsa.broker.produce.duration', 's')).toBe('samsa.broker.produce.duration.seconds');
    expect(withUnitSuffix('samsa.partition.log.size', 'By')).toBe('samsa.partition.log.size.bytes');
    expect(withUnitSuffix('samsa.broker.produced.bytes', 'By')).toBe('samsa.broker.produced.bytes');
    expect(withUnitSuffix('samsa.broker.produced.records', '{record}')).toBe('samsa.broker.produced.records');
    expect(withUnitSuffix('nodejs.eventloop.utilization', '1')).toBe('nodejs.eventloop.utilization');
  });

  it('writes acks as Kafka does', () => {
    expect(['ACKS_ALL', 'ACKS_LEADER', 'ACKS_NONE', 'all', '1', '0'].map(acksLabel)).toEqual(['all', '1', '0', 'all', '1', '0']);
  });

  it('names RPCs as OpenTelemetry does and blames the server only for its own failures', () => {
    expect(rpcMethod('/samsa.v1.BrokerService/Consume')).toMatchObject({
      name: 'samsa.v1.BrokerService/Consume',
      service: 'samsa.v1.BrokerService',
      method: 'Consume',
    });
    expect([0, 1, 3, 5, 14].map(statusName)).toEqual(['OK', 'CANCELLED', 'INVALID_ARGUMENT', 'NOT_FOUND', 'UNAVAILABLE']);
    expect([1, 3, 5, 9].some(isServerError)).toBe(false);
    expect([2, 4, 12, 13, 14, 15].every(isServerError)).toBe(true);
  });
});

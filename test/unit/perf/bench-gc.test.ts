import { describe, expect, it } from 'vitest';
import { gcDelta, parseServiceGc } from '../../../bench/stats.js';

/** What a broker's /metrics serves for runtime-metrics.ts' GC histogram (trimmed to two buckets). */
const METRICS = `# HELP v8js_gc_duration_seconds Garbage collection pauses
# UNIT v8js_gc_duration_seconds seconds
# TYPE v8js_gc_duration_seconds histogram
v8js_gc_duration_seconds_count{v8js_gc_type="minor"} 31
v8js_gc_duration_seconds_sum{v8js_gc_type="minor"} 0.125
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",le="0.0001"} 0
v8js_gc_duration_seconds_count{v8js_gc_type="major"} 12
v8js_gc_duration_seconds_sum{v8js_gc_type="major"} 0.25
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",le="+Inf"} 12
v8js_gc_duration_seconds_count{v8js_gc_type="incremental"} 40
v8js_gc_duration_seconds_sum{v8js_gc_type="incremental"} 0.0625
# HELP samsa_broker_produced_bytes Bytes appended
# TYPE samsa_broker_produced_bytes counter
samsa_broker_produced_bytes_total 1000000
`;

describe("the bench's broker GC counts", () => {
  it('reads mark-compacts, scavenges and the pause time of every GC kind from /metrics', () => {
    expect(parseServiceGc(METRICS)).toEqual({ majors: 12, minors: 31, pauseSeconds: 0.4375 });
  });

  it('counts zero before a process has collected', () => {
    expect(parseServiceGc('# no GC yet\nprocess_uptime_seconds 1\n')).toEqual({ majors: 0, minors: 0, pauseSeconds: 0 });
  });

  it('logs the difference per broker, and ? for one that did not answer', () => {
    const before = [{ majors: 1, minors: 2, pauseSeconds: 0.01 }, { majors: 0, minors: 0, pauseSeconds: 0 }, undefined];
    const after = [{ majors: 13, minors: 33, pauseSeconds: 0.4475 }, undefined, { majors: 5, minors: 5, pauseSeconds: 1 }];
    expect(gcDelta(before, after)).toBe('12/31/438 ? ?');
  });
});

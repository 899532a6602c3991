/** What the benchmark asks of a peer it compares with (RedisPeer, NatsPeer): its server process and the workloads. */
import type { PerfReport } from '../../tools/perf/index.js';

export interface PeerDriver {
  pid: number | undefined;
  clear(stream: string): Promise<void>;
  produce(stream: string, size: number, records: number, durationMs: number): Promise<PerfReport>;
  consume(stream: string, records: number, durationMs: number): Promise<PerfReport>;
  e2e(stream: string, size: number, throughput: number, records: number, durationMs: number): Promise<PerfReport>;
  stop(): Promise<void>;
}

/**
 * Performance measurement on the SDK: the workloads behind `samsa perf` and `npm run bench`, a
 * latency histogram, and the text they print. The public face of tools/perf.
 */
export { LatencyHistogram, HISTOGRAM_MAX_VALUE } from './histogram.js';
export { Meter, type PerfReport, type PerfProgress, type ProgressListener } from './meter.js';
export {
  runProduce,
  runConsume,
  runE2e,
  payload,
  jsonPayload,
  type PayloadKind,
  type ProduceWorkload,
  type ConsumeWorkload,
  type E2eWorkload,
  type RunHooks,
} from './workloads.js';
export { formatProgress, formatSummary } from './report.js';
export {
  runFailover,
  formatFailover,
  FAILOVER_SCENARIOS,
  type FailoverOptions,
  type FailoverReport,
  type FailoverScenario,
} from './failover.js';

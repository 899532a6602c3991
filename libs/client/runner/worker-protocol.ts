/**
 * The messages between a consumer and its worker threads (worker-executor.ts, worker-main.ts).
 * A chunk's records cross once, as a transferred ArrayBuffer (chunk.ts); retries and stops name
 * the chunk by id.
 */
import type { WireChunk } from './chunk.js';
import type { ErrorInfo, Outcome } from './executor.js';
import type { HandlerMode } from './run-options.js';

/** workerData of a worker: the handler to import. */
export interface WorkerInit {
  url: string;
  export: string;
  mode: HandlerMode;
}

export type ToWorker =
  /** Keep this chunk under `id` and run the handler over it from `from`. */
  | { t: 'chunk'; id: number; chunk: WireChunk; from: number }
  /** Run the handler again over chunk `id` (kept since 'chunk') from `from`: a retry. */
  | { t: 'run'; id: number; from: number }
  /** Stop chunk `id` after the record (or batch) in hand. */
  | { t: 'stop'; id: number }
  /** Forget chunk `id`. */
  | { t: 'release'; id: number };

export type FromWorker = { t: 'ready' } | { t: 'init-failed'; error: ErrorInfo } | { t: 'outcome'; id: number; outcome: Outcome };

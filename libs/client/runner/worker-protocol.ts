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
  /** Keep this chunk under `id` and run the handler over it from `from` (through `until` if set). */
  | { t: 'chunk'; id: number; chunk: WireChunk; from: number; until?: number | undefined }
  /** Run the handler again over chunk `id` (kept since 'chunk') from `from`: a retry, or one record alone. */
  | { t: 'run'; id: number; from: number; until?: number | undefined }
  /** Stop chunk `id` after the record (or batch) in hand. */
  | { t: 'stop'; id: number }
  /** Forget chunk `id`. */
  | { t: 'release'; id: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'init-failed'; error: ErrorInfo }
  /** The records of chunk `id` below `next` are handled (sent at most every PROGRESS_EVERY_MS per chunk). */
  | { t: 'progress'; id: number; next: number }
  | { t: 'outcome'; id: number; outcome: Outcome };

/**
 * How often a worker tells the consumer's thread how far a chunk got: often enough that commits
 * and liveness follow records, not chunks, rare enough to cost nothing next to the handlers.
 */
export const PROGRESS_EVERY_MS = 100;

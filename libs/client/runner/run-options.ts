/**
 * What run() takes: a handler per record (eachMessage) or per batch (eachBatch), how many
 * partitions run their handlers at once, in how many worker threads, and what a handler error does.
 * The behaviour is in runner.ts; this file holds the public shapes and checks them once.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SamsaError } from '../../errors/index.js';
import type { ConsumedMessage } from '../consumer/partition-stream.js';
import type { RetryOptions } from '../../runtime/index.js';

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedMessage;
  /** Aborted when the consumer is closing or the partition is taken away: finish or give up soon. */
  signal: AbortSignal;
}

export interface EachBatchPayload {
  batch: { topic: string; partition: number; messages: ConsumedMessage[] };
  /**
   * Marks the records up to `offset` (inclusive) done, so a later failure of this batch keeps them
   * done (committable) and the failure is charged to the next record. Returning normally marks the
   * whole batch done.
   */
  resolveOffset(offset: number): void;
  signal: AbortSignal;
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void> | void;
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void> | void;

/**
 * A handler by where it lives, for worker threads (a function cannot cross threads): the module's
 * path (absolute, relative to the working directory, or a file: URL) and the name of its export
 * (default 'default'). Every worker imports the module once.
 */
export interface HandlerModule {
  module: string | URL;
  export?: string;
}

/**
 * What a handler error does. First the record is retried per `retry` (none by default, so the
 * first error is final); then, with `deadLetterTopic`, the record is produced there (acks=all,
 * headers saying why and where from: dead-letter.ts) and its partition goes on, else its partition
 * stops at it. Either way nothing past the failed record is committed before it is retried
 * successfully or dead-lettered.
 */
export interface FailurePolicy {
  retry?: RetryOptions;
  deadLetterTopic?: string;
}

/** A partition stopped by a handler error: it is committed up to `offset` (the failed record). */
export interface StoppedPartition {
  topic: string;
  partition: number;
  offset: number;
  error: Error;
}

export interface RunOptions {
  eachMessage?: EachMessageHandler | HandlerModule;
  eachBatch?: EachBatchHandler | HandlerModule;
  /**
   * How many partitions run their handler at once, per thread that runs handlers (the consumer's
   * own thread, or each worker). Records of one partition are handled one at a time, in offset
   * order, whatever this is. Default 1.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Run the handlers in this many worker threads, each owning a share of the partitions. The
   * handler must then be a HandlerModule. Default 0: the consumer's own thread.
   */
  workers?: number;
  onError?: FailurePolicy;
  /** Told when a partition stops on a handler error (policy without a dead-letter topic). */
  onPartitionStopped?: (stopped: StoppedPartition) => void;
}

export type HandlerMode = 'message' | 'batch';

export type Handler = { mode: 'message'; fn: EachMessageHandler } | { mode: 'batch'; fn: EachBatchHandler };

/** RunOptions after checking, with defaults. */
export interface RunPlan {
  mode: HandlerMode;
  /** Set when the handler is a function (then workers is 0). */
  handler: Handler | undefined;
  /** Set when the handler is a module: a file: URL and an export name. */
  module: { url: string; export: string } | undefined;
  concurrency: number;
  workers: number;
  onError: FailurePolicy;
  onPartitionStopped: ((stopped: StoppedPartition) => void) | undefined;
}

function positiveInt(value: number | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > 1024)
    throw new SamsaError('INVALID_REQUEST', `${name} must be an integer from ${min} to 1024, got ${value}`);
  return value;
}

export function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith('file:')) return module;
  return pathToFileURL(isAbsolute(module) ? module : resolve(process.cwd(), module)).href;
}

export function planRun(options: RunOptions): RunPlan {
  const { eachMessage, eachBatch } = options;
  if ((eachMessage === undefined) === (eachBatch === undefined))
    throw new SamsaError('INVALID_REQUEST', 'run() needs exactly one of eachMessage and eachBatch');
  const mode: HandlerMode = eachMessage !== undefined ? 'message' : 'batch';
  const given = (eachMessage ?? eachBatch) as EachMessageHandler | EachBatchHandler | HandlerModule;
  const workers = positiveInt(options.workers, 'workers', 0, 0);
  const concurrency = positiveInt(options.partitionsConsumedConcurrently, 'partitionsConsumedConcurrently', 1, 1);
  const deadLetterTopic = options.onError?.deadLetterTopic;
  if (deadLetterTopic !== undefined && (typeof deadLetterTopic !== 'string' || deadLetterTopic === ''))
    throw new SamsaError('INVALID_REQUEST', 'onError.deadLetterTopic must be a topic name');
  const base = { mode, concurrency, workers, onError: options.onError ?? {}, onPartitionStopped: options.onPartitionStopped };
  if (typeof given === 'function') {
    if (workers > 0) {
      throw new SamsaError(
        'INVALID_REQUEST',
        `with workers the handler must be a module ({ module: './handler.js', export: 'name' }): a function cannot be sent to another thread`,
      );
    }
    const handler: Handler =
      mode === 'message' ? { mode, fn: given as EachMessageHandler } : { mode: 'batch', fn: given as EachBatchHandler };
    return { ...base, handler, module: undefined };
  }
  if (typeof given !== 'object' || given === null || (typeof given.module !== 'string' && !(given.module instanceof URL))) {
    throw new SamsaError('INVALID_REQUEST', `${mode === 'message' ? 'eachMessage' : 'eachBatch'} must be a function or { module, export }`);
  }
  return { ...base, handler: undefined, module: { url: moduleUrl(given.module), export: given.export ?? 'default' } };
}

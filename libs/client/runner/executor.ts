/**
 * Where handlers run: an Executor takes a chunk and runs the handler over its records from a given
 * offset, one record (or one batch) at a time, and says how it ended. The runner decides what is
 * run where and what a failure does (runner.ts); executors only run.
 *
 * Two kinds: InThreadExecutor (the consumer's own thread) and WorkerExecutor (one worker thread,
 * worker-executor.ts). Both run records with handleRecords below, so a handler sees the same
 * contract in either place.
 */
import type { Header, ConsumedMessage } from '../consumer/partition-stream.js';
import { chunkMessages, type RecordChunk } from './chunk.js';
import type { Handler } from './run-options.js';

/** An error as it can cross threads. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack: string | undefined;
}

/** What a dead-letter record needs of the record that failed. */
export interface FailedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Header[];
  timestampMs: number;
}

export type Outcome =
  /** Every record of the run (from `from`, through `until` if given) was handled. */
  | { kind: 'done' }
  /** Stopped by the signal: the records below `next` were handled, none from it on. */
  | { kind: 'stopped'; next: number }
  /** The handler threw for the record at `offset`; the records from `from` below it were handled. */
  | { kind: 'failed'; offset: number; error: ErrorInfo; record: FailedRecord };

export interface Executor {
  /** How many chunks it runs at once. */
  readonly slots: number;
  /**
   * Runs the handler over the chunk's records from `from` (through `until`, inclusive, when given).
   * `id` names the chunk across retries: the
   * first run() of an id brings the records, later ones reuse them until release(id).
   * `onProgress(next)` is told that the records below `next` are handled (per record where it is
   * cheap, else only through the outcome). Rejects only when the executor itself broke.
   */
  run(
    chunk: RecordChunk,
    id: number,
    from: number,
    signal: AbortSignal,
    onProgress: (next: number) => void,
    until?: number,
  ): Promise<Outcome>;
  release(id: number): void;
  /** Ends the executor (no run() may be pending). */
  close(): Promise<void>;
}

export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err), stack: undefined };
}

/** An ErrorInfo as an Error again (on the thread that reports it). */
export function toError(info: ErrorInfo): Error {
  const err = new Error(info.message);
  err.name = info.name;
  if (info.stack !== undefined) err.stack = info.stack;
  return err;
}

function failed(m: ConsumedMessage, err: unknown): Outcome {
  return {
    kind: 'failed',
    offset: m.offset,
    error: errorInfo(err),
    record: { key: m.key, value: m.value, headers: m.headers, timestampMs: m.timestampMs },
  };
}

/**
 * Runs `handler` over `messages` (one partition, offset order) from offset `from`. eachMessage:
 * one record at a time; the first that throws ends the run as `failed`. eachBatch: one call with
 * every record from `from`; a throw fails the first record not resolved. A throw after `signal`
 * was aborted is a stop, not a failure; a signal seen between records stops before the next one.
 */
export async function handleRecords(
  handler: Handler,
  messages: readonly ConsumedMessage[],
  from: number,
  signal: AbortSignal,
  onProgress: (next: number) => void,
  until = Number.MAX_SAFE_INTEGER,
): Promise<Outcome> {
  if (handler.mode === 'message') {
    for (const m of messages) {
      if (m.offset < from) continue;
      if (m.offset > until) break;
      if (signal.aborted) return { kind: 'stopped', next: m.offset };
      try {
        await handler.fn({ topic: m.topic, partition: m.partition, message: m, signal });
      } catch (err) {
        return signal.aborted ? { kind: 'stopped', next: m.offset } : failed(m, err);
      }
      onProgress(m.offset + 1);
    }
    return { kind: 'done' };
  }
  const todo =
    from <= (messages[0]?.offset ?? 0) && until >= (messages.at(-1)?.offset ?? 0)
      ? [...messages]
      : messages.filter((m) => m.offset >= from && m.offset <= until);
  const first = todo[0];
  if (!first) return { kind: 'done' };
  if (signal.aborted) return { kind: 'stopped', next: first.offset };
  let resolved = first.offset;
  const resolveOffset = (offset: number): void => {
    if (offset + 1 <= resolved) return;
    resolved = offset + 1;
    onProgress(resolved);
  };
  try {
    await handler.fn({ batch: { topic: first.topic, partition: first.partition, messages: todo }, resolveOffset, signal });
  } catch (err) {
    const failing = todo.find((m) => m.offset >= resolved);
    if (!failing) return { kind: 'done' };
    return signal.aborted ? { kind: 'stopped', next: failing.offset } : failed(failing, err);
  }
  return { kind: 'done' };
}

/** Runs handlers on the consumer's own thread. */
export class InThreadExecutor implements Executor {
  private readonly decoded = new Map<number, ConsumedMessage[]>();

  constructor(
    private readonly handler: Handler,
    readonly slots: number,
  ) {}

  run(
    chunk: RecordChunk,
    id: number,
    from: number,
    signal: AbortSignal,
    onProgress: (next: number) => void,
    until?: number,
  ): Promise<Outcome> {
    let messages = this.decoded.get(id);
    if (!messages) {
      messages = chunkMessages(chunk);
      this.decoded.set(id, messages);
    }
    return handleRecords(this.handler, messages, from, signal, onProgress, until);
  }

  release(id: number): void {
    this.decoded.delete(id);
  }

  close(): Promise<void> {
    this.decoded.clear();
    return Promise.resolve();
  }
}

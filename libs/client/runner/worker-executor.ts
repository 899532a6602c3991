/**
 * One worker thread that runs handlers (the Executor of worker_threads). It owns its Worker: start()
 * waits until the handler module is loaded there, close() terminates it. A worker that dies or
 * throws outside a handler breaks the run: every pending run() rejects and `onBroken` is told once.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SamsaError } from '../../errors/index.js';
import { toWire, type RecordChunk } from './chunk.js';
import { toError, type Executor, type Outcome } from './executor.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/**
 * The worker's script. The SDK normally runs as built JavaScript and the script sits beside this
 * file; when its TypeScript sources run under a loader (the tests, through vitest), a worker
 * thread, which runs plain Node, takes the built copy under dist/ instead.
 */
function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return new URL('./worker-main.js', import.meta.url);
  return pathToFileURL(join(dirname(here), '..', '..', '..', 'dist', 'libs', 'client', 'runner', 'worker-main.js'));
}

interface Pending {
  onProgress: (next: number) => void;
  resolve: (outcome: Outcome) => void;
  reject: (err: Error) => void;
  cleanup: () => void;
}

const asBuffer = (b: Uint8Array | null): Buffer | null => (b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export class WorkerExecutor implements Executor {
  private readonly pending = new Map<number, Pending>();
  private readonly held = new Set<number>();
  private broken: Error | undefined;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly slots: number,
    private readonly onBroken: (err: Error) => void,
  ) {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new SamsaError('INTERNAL_ERROR', `a consumer worker thread exited (code ${code})`)));
  }

  /** Starts a worker and resolves once its handler is loaded; rejects (and ends it) when it cannot be. */
  static start(init: WorkerInit, slots: number, index: number, onBroken: (err: Error) => void): Promise<WorkerExecutor> {
    const worker = new Worker(workerScript(), { workerData: init, name: `samsa-consumer-${index}` });
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        worker.off('message', first);
        void worker.terminate();
        reject(err);
      };
      const first = (m: FromWorker): void => {
        worker.off('error', failed);
        if (m.t === 'ready') resolve(new WorkerExecutor(worker, slots, onBroken));
        else if (m.t === 'init-failed') failed(new SamsaError('INVALID_REQUEST', toError(m.error).message));
      };
      worker.once('message', first);
      worker.once('error', failed);
    });
  }

  run(
    chunk: RecordChunk,
    id: number,
    from: number,
    signal: AbortSignal,
    onProgress: (next: number) => void,
    until?: number,
  ): Promise<Outcome> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<Outcome>((resolve, reject) => {
      const onAbort = (): void => this.post({ t: 'stop', id });
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { onProgress, resolve, reject, cleanup: () => signal.removeEventListener('abort', onAbort) });
      if (this.held.has(id)) {
        this.post({ t: 'run', id, from, until });
      } else {
        const wire = toWire(chunk);
        this.held.add(id);
        this.worker.postMessage({ t: 'chunk', id, chunk: wire, from, until } satisfies ToWorker, [wire.buffer]);
      }
      if (signal.aborted) onAbort();
    });
  }

  release(id: number): void {
    if (this.held.delete(id) && !this.broken) this.post({ t: 'release', id });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  /** The worker thread's id, for CPU accounting. */
  get threadId(): number {
    return this.worker.threadId;
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'progress') {
      this.pending.get(m.id)?.onProgress(m.next);
      return;
    }
    if (m.t !== 'outcome') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    p.cleanup();
    const o = m.outcome;
    if (o.kind === 'failed')
      o.record = {
        ...o.record,
        key: asBuffer(o.record.key),
        value: asBuffer(o.record.value),
        headers: o.record.headers.map((h) => ({ key: h.key, value: asBuffer(h.value) as Buffer })),
      };
    p.resolve(o);
  }

  private fail(err: Error): void {
    if (this.closing || this.broken) return;
    this.broken = err;
    for (const p of this.pending.values()) {
      p.cleanup();
      p.reject(err);
    }
    this.pending.clear();
    this.onBroken(err);
  }
}

/**
 * The entry point of a consumer's worker thread: imports the handler named in workerData, then
 * runs the chunks the consumer sends (worker-protocol.ts), decoding their records here, so the
 * consumer's thread never decodes them. Several chunks (of different partitions) may run at once;
 * the consumer never sends two of one partition at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConsumedMessage } from '../consumer/partition-stream.js';
import { fromWire } from './chunk.js';
import { errorInfo, handleRecords, type Outcome } from './executor.js';
import { loadHandler } from './handler-module.js';
import { PROGRESS_EVERY_MS, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

interface Held {
  messages: ConsumedMessage[];
  stop: AbortController;
}

const port = parentPort;
if (!port) throw new Error('worker-main runs only as a worker thread of a consumer');
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

try {
  const handler = await loadHandler(init.url, init.export, init.mode);
  const chunks = new Map<number, Held>();
  const runChunk = async (id: number, from: number, until: number | undefined): Promise<void> => {
    const held = chunks.get(id);
    let outcome: Outcome;
    if (!held)
      outcome = {
        kind: 'failed',
        offset: from,
        error: errorInfo(new Error(`chunk ${id} is not held by this worker`)),
        record: { key: null, value: null, headers: [], timestampMs: 0 },
      };
    else {
      let sentAt = performance.now();
      const progress = (next: number): void => {
        const now = performance.now();
        if (now - sentAt < PROGRESS_EVERY_MS) return;
        sentAt = now;
        post({ t: 'progress', id, next });
      };
      outcome = await handleRecords(handler, held.messages, from, held.stop.signal, progress, until);
    }
    post({ t: 'outcome', id, outcome });
  };
  port.on('message', (m: ToWorker) => {
    if (m.t === 'chunk') {
      chunks.set(m.id, { messages: fromWire(m.chunk), stop: new AbortController() });
      void runChunk(m.id, m.from, m.until);
    } else if (m.t === 'run') void runChunk(m.id, m.from, m.until);
    else if (m.t === 'stop') chunks.get(m.id)?.stop.abort();
    else chunks.delete(m.id);
  });
  post({ t: 'ready' });
} catch (err) {
  post({ t: 'init-failed', error: errorInfo(err) });
}

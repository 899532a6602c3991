/**
 * The CPU-bound handler of `npm run bench:workers` (consume-workers.ts), loaded by each worker:
 * a fixed amount of work per record (SHA-256 chained over the value), so records/s measures how
 * many cores the handlers get, not a clock. On load it says which OS thread it runs on (through
 * /proc/thread-self), so the benchmark can read that thread's CPU time.
 */
import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import type { EachMessagePayload } from '../../libs/client/index.js';

/** SHA-256 rounds per record: about 0.5 ms of one core on the 2-core dev machine. */
const ROUNDS = Number(process.env.SAMSA_BENCH_ROUNDS ?? '400');

const channel = new BroadcastChannel('samsa-bench-threads');
channel.postMessage(Number(readlinkSync('/proc/thread-self').split('/').at(-1)));
channel.close();

export function burn({ message }: EachMessagePayload): void {
  let digest: Buffer = message.value ?? Buffer.alloc(0);
  for (let i = 0; i < ROUNDS; i++) digest = createHash('sha256').update(digest).digest();
  if (digest.length !== 32) throw new Error('unreachable');
}

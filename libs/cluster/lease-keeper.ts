/**
 * Keeps etcd leases alive from a worker thread (lease-keeper-worker.ts, with its own etcd client),
 * so a stall of the main event loop (a big topic create, a fill of 10,000 partitions on a loaded
 * machine) does not cost the process its registration or the controller its seat: the main thread
 * grants each lease and hands its id over. ADR 0057.
 *
 * A hung process must still go: the main thread ticks a shared counter every TICK_MS, and the
 * worker stops keeping every lease, and revokes them, once the counter has not moved for
 * `stallLimitMs`. A crash or kill -9 takes the worker with it (one process), and so does a SIGSTOP,
 * so those still end the lease one TTL later, as before.
 *
 * What the main thread knows of each lease is in shared memory the worker writes: the deadline
 * (lease-deadline.ts, from the keep-alives the worker sent and etcd answered) and a state word. A
 * timer armed at the deadline reads them when it fires, so after a stall the first thing that runs
 * sees the renewals made meanwhile, not a deadline the worker moved on long ago. The worker also
 * posts why a lease was lost, for the log.
 *
 * Owner: joinCluster (libs/service) starts one per process and closes it after the leases it keeps
 * were given up. If the worker dies, the leases it kept expire by their deadline, and new leases
 * are kept on the main thread (IN_THREAD_KEEPING), logged once.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Lease } from 'etcd3';
import type { Logger } from '../telemetry/index.js';
import { systemClock, type Clock } from '../runtime/index.js';
import { leaseMarginMs } from './lease-deadline.js';
import { IN_THREAD_KEEPING, type KeepOptions, type KeptLease, type LeaseKeeping } from './lease-keeping.js';
import { LEASE_SHARED_BYTES, LeaseState, TICK_MS, type FromKeeper, type LeaseKeeperInit, type ToKeeper } from './lease-keeper-protocol.js';

export interface LeaseKeeperOptions {
  endpoints: readonly string[];
  /** How long the main thread may not run before the leases are let go. */
  stallLimitMs: number;
  logger: Logger;
  clock?: Clock;
}

/**
 * The worker's script: beside this file when running as built JavaScript; under a TypeScript
 * loader (the tests, through vitest) the built copy under dist/, as a worker runs plain Node.
 */
function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return new URL('./lease-keeper-worker.js', import.meta.url);
  return pathToFileURL(join(dirname(here), '..', '..', 'dist', 'libs', 'cluster', 'lease-keeper-worker.js'));
}

export class LeaseKeeper implements LeaseKeeping {
  private readonly ticker: NodeJS.Timeout;
  private readonly kept = new Map<string, OffThreadLease>();
  private broken = false;
  private closed = false;
  private readonly clock: Clock;

  private constructor(
    private readonly worker: Worker,
    /** The main thread's tick counter, read by the worker. */
    heartbeat: Int32Array,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.ticker = setInterval(() => Atomics.add(heartbeat, 0, 1), TICK_MS);
    this.ticker.unref();
    worker.on('message', (m: FromKeeper) => {
      if (m.t === 'lost') this.kept.get(m.id)?.lost(m.why);
    });
    worker.on('error', (err) => this.fail(`failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`exited with code ${code}`));
  }

  /** Starts the worker and resolves once its etcd client exists. */
  static start(options: LeaseKeeperOptions): Promise<LeaseKeeper> {
    const heartbeat = new SharedArrayBuffer(4);
    const init: LeaseKeeperInit = { endpoints: options.endpoints, stallLimitMs: options.stallLimitMs, heartbeat };
    const worker = new Worker(workerScript(), { workerData: init, name: 'samsa-lease-keeper' });
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        void worker.terminate();
        reject(new Error(`could not start the lease keep-alive thread: ${err.message}`, { cause: err }));
      };
      worker.once('error', failed);
      worker.once('message', (m: FromKeeper) => {
        worker.off('error', failed);
        if (m.t !== 'ready') return failed(new Error(`unexpected first message ${m.t}`));
        resolve(new LeaseKeeper(worker, new Int32Array(heartbeat), options));
      });
    });
  }

  keep(lease: Lease, options: KeepOptions): KeptLease {
    if (this.broken || this.closed) return IN_THREAD_KEEPING.keep(lease, options);
    const kept = new OffThreadLease(lease, options, this.clock, (id) => this.drop(id));
    lease.grant().then(
      (id) => {
        if (kept.expired) return;
        // From here on only the worker sends keep-alives for it (Lease.release stops the client's own).
        lease.release();
        kept.id = id;
        this.kept.set(id, kept);
        const message: ToKeeper = {
          t: 'keep',
          id,
          ttlSeconds: options.ttlSeconds,
          grantRequestedAtMs: options.grantRequestedAtMs,
          shared: kept.shared,
        };
        this.worker.postMessage(message);
      },
      // A failed grant: the Lease emits 'lost', which the kept lease listens to.
      () => undefined,
    );
    return kept;
  }

  /** Ends the worker (every lease it kept should have been given up by now). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    await this.worker.terminate();
  }

  private drop(id: string): void {
    this.kept.delete(id);
    if (this.broken || this.closed) return;
    const message: ToKeeper = { t: 'drop', id };
    this.worker.postMessage(message);
  }

  private fail(why: string): void {
    if (this.broken || this.closed) return;
    this.broken = true;
    clearInterval(this.ticker);
    this.options.logger.error(
      { why, leases: this.kept.size },
      'the lease keep-alive thread ended: the leases it kept expire by their TTL, new ones are kept on the main thread',
    );
  }
}

/** The main thread's side of a lease the worker keeps. */
class OffThreadLease implements KeptLease {
  readonly shared = new SharedArrayBuffer(LEASE_SHARED_BYTES);
  private readonly deadline = new BigInt64Array(this.shared, 0, 1);
  private readonly state = new Int32Array(this.shared, 8, 1);
  /** The lease id, once granted and handed to the worker. */
  id: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  private readonly detach: () => void;

  constructor(
    lease: Lease,
    private readonly options: KeepOptions,
    private readonly clock: Clock,
    private readonly onDrop: (id: string) => void,
  ) {
    const { ttlSeconds, grantRequestedAtMs } = options;
    Atomics.store(this.deadline, 0, BigInt(grantRequestedAtMs + ttlSeconds * 1_000 - leaseMarginMs(ttlSeconds)));
    // A write under the lease that etcd refused as an unknown lease.
    const onLost = (err: Error): void => this.lost(`the etcd client lost the lease: ${err.message}`);
    lease.on('lost', onLost);
    this.detach = () => lease.off('lost', onLost);
    this.check();
  }

  get expired(): boolean {
    return this.over || this.why() !== undefined;
  }

  dispose(): void {
    if (this.over) return;
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach();
    if (this.id !== undefined) this.onDrop(this.id);
  }

  /** The worker, or the etcd client here, says it is gone. */
  lost(why: string): void {
    if (this.over) return;
    this.dispose();
    this.options.onExpired(why);
  }

  private why(): string | undefined {
    const state = Atomics.load(this.state, 0);
    if (state === LeaseState.GONE) return 'etcd no longer knows the lease (it expired or was revoked)';
    if (state === LeaseState.STALLED) return 'the main thread stalled past the lease stall limit: the keep-alive thread let the lease go';
    if (this.clock.nowMs() >= Number(Atomics.load(this.deadline, 0)))
      return `no keep-alive answered in time: the lease's TTL (${this.options.ttlSeconds} s) has run out by this process's clock`;
    return undefined;
  }

  /** Reads the shared state: expires, or waits until the deadline it reads now. */
  private check(): void {
    if (this.over) return;
    const why = this.why();
    if (why !== undefined) return this.lost(why);
    const left = Number(Atomics.load(this.deadline, 0)) - this.clock.nowMs();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, left);
  }
}

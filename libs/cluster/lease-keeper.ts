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
 * (lease-deadline.ts, from the keep-alives the worker sent and etcd answered) and a state word,
 * read by a LeaseWatch (lease-watch.ts) whose timer, armed at the deadline, reads them when it
 * fires, so after a stall the first thing that runs sees the renewals made meanwhile, not a
 * deadline the worker moved on long ago. The worker also posts why a lease was lost, for the log.
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
import { LeaseWatch, type LeaseDeadlineSource } from './lease-watch.js';
import { LEASE_SHARED_BYTES, LeaseState, TICK_MS, type FromKeeper, type LeaseKeeperInit, type ToKeeper } from './lease-keeper-protocol.js';

export interface LeaseKeeperOptions {
  endpoints: readonly string[];
  /** How long the main thread may not run before the leases are let go. */
  stallLimitMs: number;
  logger: Logger;
  /** Told of each lease the worker revoked because this thread stalled past the limit (a metric). */
  onStallRevoked?: () => void;
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

/**
 * The thread runs in every cluster member and allocates next to nothing (a few keep-alives a
 * second), yet with Node's defaults it held up to 30 MiB of heap (idle cluster, session 12): V8
 * grows a thread's young generation while it loads its modules and often keeps it, and the thread
 * ran the process's preloads (the telemetry bootstrap, source maps). With a 1 MiB young generation
 * and no preloads it holds ~11.5 MiB. No limit on the old generation: a worker over one would die.
 */
const WORKER_OPTIONS = {
  name: 'samsa-lease-keeper',
  resourceLimits: { maxYoungGenerationSizeMb: 1 },
  // Preloads and per-thread flags (--import, --enable-source-maps, --cpu-prof) are the main thread's.
  execArgv: [],
};

export class LeaseKeeper implements LeaseKeeping {
  private readonly ticker: NodeJS.Timeout;
  private readonly kept = new Map<string, LeaseWatch>();
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
      if (m.t !== 'lost') return;
      // Counted here, whether or not the watch read the shared state first and let the lease go.
      if (m.stalled) this.options.onStallRevoked?.();
      this.kept.get(m.id)?.lost(m.why);
    });
    worker.on('error', (err) => this.fail(`failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`exited with code ${code}`));
  }

  /** Starts the worker and resolves once its etcd client exists. */
  static start(options: LeaseKeeperOptions): Promise<LeaseKeeper> {
    const heartbeat = new SharedArrayBuffer(4);
    const init: LeaseKeeperInit = { endpoints: options.endpoints, stallLimitMs: options.stallLimitMs, heartbeat };
    const worker = new Worker(workerScript(), { ...WORKER_OPTIONS, workerData: init });
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
    const source = new SharedLeaseDeadline(options.ttlSeconds, options.grantRequestedAtMs);
    /** The lease id, once granted and handed to the worker. */
    let id: string | undefined;
    const kept = new LeaseWatch(lease, source, {
      ttlSeconds: options.ttlSeconds,
      onExpired: options.onExpired,
      clock: this.clock,
      onDispose: () => {
        if (id !== undefined) this.drop(id);
      },
    });
    lease.grant().then(
      (granted) => {
        if (kept.expired) return;
        // From here on only the worker sends keep-alives for it (Lease.release stops the client's own).
        lease.release();
        id = granted;
        this.kept.set(id, kept);
        const message: ToKeeper = {
          t: 'keep',
          id,
          ttlSeconds: options.ttlSeconds,
          grantRequestedAtMs: options.grantRequestedAtMs,
          shared: source.shared,
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

/**
 * The main thread's reading of a lease the worker keeps: the deadline and state word the worker
 * writes (lease-keeper-protocol.ts), the deadline starting at the grant's request time + TTL less
 * the margin until the worker publishes a later one.
 */
export class SharedLeaseDeadline implements LeaseDeadlineSource {
  readonly shared = new SharedArrayBuffer(LEASE_SHARED_BYTES);
  private readonly deadline = new BigInt64Array(this.shared, 0, 1);
  private readonly state = new Int32Array(this.shared, 8, 1);

  constructor(ttlSeconds: number, grantRequestedAtMs: number) {
    Atomics.store(this.deadline, 0, BigInt(grantRequestedAtMs + ttlSeconds * 1_000 - leaseMarginMs(ttlSeconds)));
  }

  expiresAtMs(): number {
    return Number(Atomics.load(this.deadline, 0));
  }

  goneWhy(): string | undefined {
    const state = Atomics.load(this.state, 0);
    if (state === LeaseState.GONE) return 'etcd no longer knows the lease (it expired or was revoked)';
    if (state === LeaseState.STALLED) return 'the main thread stalled past the lease stall limit: the keep-alive thread let the lease go';
    return undefined;
  }
}

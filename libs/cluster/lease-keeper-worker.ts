/**
 * The worker thread behind LeaseKeeper (lease-keeper.ts): sends the keep-alives of the leases the
 * main thread granted, on its own etcd client and event loop, and lets them all go (revoking them)
 * once the main thread has not ticked for the stall limit. Per lease: one LeaseKeepAlive stream, a
 * keep-alive every TTL/3 (as the etcd3 client and the Go client), a new stream when one breaks or
 * stays silent for a TTL, and the deadline of lease-deadline.ts published to the main thread.
 * It speaks to etcd through etcd-lease-wire.ts (node:http2, three hand-coded messages), not the
 * etcd3 client, whose load alone cost the thread ~12 MiB.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../runtime/index.js';
import { EtcdLeaseWire, type KeepAliveStream } from './etcd-lease-wire.js';
import { LeaseDeadline } from './lease-deadline.js';
import { LeaseState, TICK_MS, type FromKeeper, type LeaseKeeperInit, type ToKeeper } from './lease-keeper-protocol.js';

/** A broken keep-alive stream is opened again after this long. */
const REOPEN_MS = 100;

const init = workerData as LeaseKeeperInit;
const port = parentPort;
if (!port) throw new Error('lease-keeper-worker.ts runs only as a worker thread');
const etcd = new EtcdLeaseWire(init.endpoints);
const clock = systemClock;
const post = (m: FromKeeper): void => port.postMessage(m);

class KeptLease {
  private readonly deadline: LeaseDeadline;
  private readonly published: BigInt64Array;
  private readonly state: Int32Array;
  private stream: KeepAliveStream | undefined;
  private beat: NodeJS.Timeout | undefined;
  private silence: NodeJS.Timeout | undefined;
  private reopen: NodeJS.Timeout | undefined;
  private over = false;

  constructor(
    readonly id: string,
    private readonly ttlSeconds: number,
    grantRequestedAtMs: number,
    shared: SharedArrayBuffer,
  ) {
    this.deadline = new LeaseDeadline(ttlSeconds, grantRequestedAtMs);
    this.published = new BigInt64Array(shared, 0, 1);
    this.state = new Int32Array(shared, 8, 1);
    this.open();
  }

  /** Stops keeping it: the owner gave it up (it revokes it or lets it expire). */
  drop(): void {
    this.over = true;
    this.closeStream();
  }

  /** Lets it go because the main thread stalled: revoked, so a hung process is gone at once. */
  stalled(stalledMs: number): void {
    this.end(
      LeaseState.STALLED,
      `the main thread has not run for ${stalledMs} ms (lease stall limit ${init.stallLimitMs} ms): the keep-alive thread revoked the lease`,
    );
    void etcd.revoke(this.id);
  }

  private open(): void {
    this.reopen = undefined;
    if (this.over || this.expiredNow()) return;
    const stream: KeepAliveStream = etcd.keepAlive({
      answered: (res) => this.answered(stream, res),
      broken: () => this.broken(stream),
    });
    this.stream = stream;
    this.deadline.streamRestarted();
    this.beat = setInterval(() => this.fire(), (this.ttlSeconds * 1_000) / 3);
    this.fire();
  }

  private fire(): void {
    if (this.over || !this.stream || this.expiredNow()) return;
    this.deadline.keepaliveSent(clock.nowMs());
    this.stream.write(this.id);
    // Nothing answered within a TTL: the connection is dead without an error; try another one.
    if (!this.silence) this.silence = setTimeout(() => this.stream?.silent(), this.ttlSeconds * 1_000);
  }

  private answered(stream: KeepAliveStream, res: { ttl: number }): void {
    if (this.over || stream !== this.stream) return;
    if (this.silence) clearTimeout(this.silence);
    this.silence = undefined;
    this.deadline.keepaliveAnswered(res.ttl);
    if (this.deadline.expiresAtMs === Number.NEGATIVE_INFINITY)
      return this.end(LeaseState.GONE, 'etcd answered a keep-alive with TTL 0: it no longer knows the lease (expired or revoked)');
    Atomics.store(this.published, 0, BigInt(this.deadline.expiresAtMs));
  }

  private broken(stream: KeepAliveStream | undefined): void {
    if (this.over || stream !== this.stream || this.reopen) return;
    this.closeStream();
    this.reopen = setTimeout(() => this.open(), REOPEN_MS);
  }

  /** Past the deadline with no answer: the lease is taken as gone here as on the main thread. */
  private expiredNow(): boolean {
    if (!this.deadline.expired(clock.nowMs())) return false;
    this.end(LeaseState.UNANSWERED, `no keep-alive answered in time: the lease's TTL (${this.ttlSeconds} s) has run out`);
    return true;
  }

  private end(state: number, why: string): void {
    if (this.over) return;
    this.over = true;
    Atomics.store(this.state, 0, state);
    this.closeStream();
    kept.delete(this.id);
    post({ t: 'lost', id: this.id, why, stalled: state === LeaseState.STALLED });
  }

  /** Ends the current stream and its timers (and, once over, a pending reopen). */
  private closeStream(): void {
    if (this.beat) clearInterval(this.beat);
    if (this.silence) clearTimeout(this.silence);
    this.beat = this.silence = undefined;
    if (this.over && this.reopen) {
      clearTimeout(this.reopen);
      this.reopen = undefined;
    }
    const stream = this.stream;
    this.stream = undefined;
    stream?.end();
  }
}

const kept = new Map<string, KeptLease>();

port.on('message', (m: ToKeeper) => {
  if (m.t === 'keep') kept.set(m.id, new KeptLease(m.id, m.ttlSeconds, m.grantRequestedAtMs, m.shared));
  else {
    kept.get(m.id)?.drop();
    kept.delete(m.id);
  }
});

// The stall watchdog: the main thread's counter must move within the stall limit.
const heartbeat = new Int32Array(init.heartbeat);
let lastTick = Atomics.load(heartbeat, 0);
let lastTickAtMs = clock.nowMs();
setInterval(() => {
  const tick = Atomics.load(heartbeat, 0);
  const now = clock.nowMs();
  if (tick !== lastTick) {
    lastTick = tick;
    lastTickAtMs = now;
    return;
  }
  if (now - lastTickAtMs < init.stallLimitMs) return;
  for (const lease of [...kept.values()]) lease.stalled(now - lastTickAtMs);
}, TICK_MS);

post({ t: 'ready' });

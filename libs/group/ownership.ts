/**
 * Which coordinator owns which partition of `__consumer_offsets` (and so the groups that hash to
 * it), decided in etcd. Keys, under `/samsa/<clusterId>/coordinators/`:
 *
 *   members/<coordinatorId>   CoordinatorRegistration   under the coordinator's lease
 *   owners/<partition>        CoordinatorRegistration   under the owner's lease; created only if absent
 *
 * and, outside that prefix (so that writing it wakes no watcher), under
 * `/samsa/<clusterId>/coordinator-epochs/`:
 *
 *   <partition>               the fence of the owner that last wrote it; what matters is the key's
 *                             etcd version, the partition's writer epoch (nextWriterEpoch)
 *
 * A coordinator claims a partition with a transaction "create owners/<p> if it does not exist",
 * under its own lease, so the claim disappears when the coordinator dies (after the lease TTL) or
 * shuts down (the lease is revoked), and another one claims it. The claim's create revision is the
 * owner's fencing token (see offsets-log.ts): it grows with every new owner.
 *
 * Balance: each coordinator holds at most ceil(partitions / live coordinators). It claims free
 * partitions up to that share and gives back (deletes, guarded on its own create revision) what is
 * above it when more coordinators join. Reconciliation runs on every change under the prefix
 * (watched) and every few seconds as a safety net. The owner (the coordinator process) calls
 * close(), which revokes the lease and so releases everything at once.
 */
import type { Etcd3, Lease, Watcher } from 'etcd3';
import { IN_THREAD_KEEPING, type KeptLease, type LeaseKeeping } from '../cluster/index.js';
import { SamsaError } from '../errors/index.js';
import { systemClock } from '../runtime/index.js';
import type { Logger } from '../telemetry/index.js';

export interface CoordinatorRegistration {
  id: number;
  host: string;
  port: number;
}

export class CoordinatorKeys {
  constructor(readonly clusterId: string) {}
  get prefix(): string {
    return `/samsa/${this.clusterId}/coordinators/`;
  }
  get membersPrefix(): string {
    return `${this.prefix}members/`;
  }
  member(id: number): string {
    return `${this.membersPrefix}${id}`;
  }
  get ownersPrefix(): string {
    return `${this.prefix}owners/`;
  }
  owner(partition: number): string {
    return `${this.ownersPrefix}${partition}`;
  }
  writerEpoch(partition: number): string {
    return `/samsa/${this.clusterId}/coordinator-epochs/${partition}`;
  }
}

export interface OwnershipListener {
  /** This coordinator now owns `partition`, with fencing token `fence`. */
  acquired(partition: number, fence: number): void;
  /** This coordinator no longer owns `partition` (given back, lease lost, or closing). */
  released(partition: number): void;
}

export interface OwnershipOptions {
  etcd: Etcd3;
  keys: CoordinatorKeys;
  self: CoordinatorRegistration;
  /** Partitions of __consumer_offsets. */
  partitions: number;
  ttlSeconds: number;
  logger: Logger;
  listener: OwnershipListener;
  /** Safety-net reconciliation period. Default 3000 ms. */
  reconcileEveryMs?: number;
  /** Who sends the lease's keep-alives (the service's LeaseKeeper thread). Default: this thread. */
  leaseKeeping?: LeaseKeeping;
}

const sortNumbers = (xs: number[]): number[] => xs.sort((a, b) => a - b);

/** PartitionOwnership.nextWriterEpoch, for callers that hold no PartitionOwnership (yet). */
export async function nextWriterEpoch(etcd: Etcd3, keys: CoordinatorKeys, partition: number, fence: number): Promise<number> {
  const key = keys.writerEpoch(partition);
  const txn = await etcd
    .if(keys.owner(partition), 'Create', '==', fence)
    .then(etcd.put(key).value(String(fence)), etcd.get(key))
    .commit();
  if (!txn.succeeded)
    throw new SamsaError('NOT_COORDINATOR', `partition ${partition} of __consumer_offsets is no longer claimed with fence ${fence}`);
  const version = Number(txn.responses[1]?.response_range?.kvs[0]?.version);
  if (!Number.isSafeInteger(version) || version < 1)
    throw new SamsaError('INTERNAL_ERROR', `etcd returned no version for ${key} after writing it`);
  return version;
}

export class PartitionOwnership {
  private lease: Lease | undefined;
  private kept: KeptLease | undefined;
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** partition -> fence (create revision of our claim). */
  private readonly mine = new Map<number, number>();
  private owners = new Map<number, CoordinatorRegistration>();
  private members: CoordinatorRegistration[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  private constructor(private readonly o: OwnershipOptions) {}

  static async start(options: OwnershipOptions): Promise<PartitionOwnership> {
    const ownership = new PartitionOwnership(options);
    await ownership.register();
    const watcher = await options.etcd.watch().prefix(options.keys.prefix).create();
    ownership.watcher = watcher;
    watcher.on('put', () => ownership.schedule());
    watcher.on('delete', () => ownership.schedule());
    watcher.on('error', (err) => options.logger.warn({ err }, 'coordinator ownership watch error; the periodic check continues'));
    ownership.timer = setInterval(() => ownership.schedule(), options.reconcileEveryMs ?? 3_000);
    await ownership.reconcileNow();
    return ownership;
  }

  /** The owner of `partition` as last seen, or undefined. */
  owner(partition: number): CoordinatorRegistration | undefined {
    return this.owners.get(partition);
  }

  /** Live coordinators as last seen, by id. */
  coordinators(): CoordinatorRegistration[] {
    return [...this.members];
  }

  /** Our fencing token for `partition`, or undefined when we do not own it. */
  fenceOf(partition: number): number | undefined {
    return this.mine.get(partition);
  }

  /**
   * A new writer epoch for `partition` of __consumer_offsets (offsets-log.ts, offsetsWriter): the
   * etcd version of its coordinator-epochs key, put in a transaction guarded on our claim (`fence`),
   * so only the owner of the moment can take one, and each is above every epoch taken before, by
   * any owner. NOT_COORDINATOR when `fence` is no longer the partition's claim.
   */
  nextWriterEpoch(partition: number, fence: number): Promise<number> {
    return nextWriterEpoch(this.o.etcd, this.o.keys, partition, fence);
  }

  /**
   * Gives `partition` up because a newer owner's writes fenced ours (the brokers refused our
   * writer epoch): the listener is told, and the claim is deleted if it is still `fence` (it
   * normally is gone already). The next reconciliation sees who owns it now.
   */
  resign(partition: number, fence: number): void {
    if (this.mine.get(partition) !== fence) return;
    this.mine.delete(partition);
    this.o.listener.released(partition);
    this.o.logger.warn({ partition, fence }, 'gave up a __consumer_offsets partition: a newer owner has written to it');
    void this.o.etcd
      .if(this.o.keys.owner(partition), 'Create', '==', fence)
      .then(this.o.etcd.delete().key(this.o.keys.owner(partition)))
      .commit()
      .catch((err: unknown) => this.o.logger.warn({ err, partition }, 'could not delete a resigned claim; its lease will end it'))
      .finally(() => this.schedule());
  }

  /** Runs a reconciliation now (also waits for one in flight). */
  async reconcileNow(): Promise<void> {
    this.schedule();
    while (this.running) await this.running;
  }

  /** Releases everything (listener told first), revokes the lease, stops watching. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.watcher?.cancel().catch(() => undefined);
    while (this.running) await this.running.catch(() => undefined);
    this.dropAll();
    this.kept?.dispose();
    const lease = this.lease;
    this.lease = undefined;
    if (lease)
      await lease.revoke().catch((err: unknown) => this.o.logger.warn({ err }, 'could not revoke the coordinator lease; it will expire'));
  }

  private async register(): Promise<void> {
    const grantRequestedAtMs = systemClock.nowMs();
    const lease = this.o.etcd.lease(this.o.ttlSeconds, { autoKeepAlive: true });
    const kept = (this.o.leaseKeeping ?? IN_THREAD_KEEPING).keep(lease, {
      ttlSeconds: this.o.ttlSeconds,
      grantRequestedAtMs,
      onExpired: (why) => {
        if (this.closed || this.lease !== lease) return;
        this.o.logger.warn({ why }, 'coordinator lease lost: giving up every partition, registering again');
        this.lease = undefined;
        this.kept = undefined;
        this.dropAll();
        this.schedule();
      },
    });
    try {
      await lease.put(this.o.keys.member(this.o.self.id)).value(JSON.stringify(this.o.self)).exec();
    } catch (err) {
      kept.dispose();
      lease.release();
      throw err;
    }
    if (kept.expired) {
      kept.dispose();
      lease.release();
      throw new Error('the coordinator lease expired (etcd unreachable?) while the registration was being written');
    }
    this.lease = lease;
    this.kept = kept;
  }

  private dropAll(): void {
    for (const p of sortNumbers([...this.mine.keys()])) {
      this.mine.delete(p);
      this.o.listener.released(p);
    }
  }

  /** Coalesces reconciliations: one at a time, one more if asked while running. */
  private schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.reconcile()
      .catch((err: unknown) => this.o.logger.warn({ err }, 'coordinator ownership check failed; retrying'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  private async reconcile(): Promise<void> {
    if (!this.lease) await this.register();
    const lease = this.lease as Lease;
    const leaseId = await lease.grant();
    const res = await this.o.etcd.getAll().prefix(this.o.keys.prefix).exec();
    const members: CoordinatorRegistration[] = [];
    const owners = new Map<number, { reg: CoordinatorRegistration; createRevision: number }>();
    for (const kv of res.kvs) {
      const key = kv.key.toString();
      const value = JSON.parse(kv.value.toString()) as CoordinatorRegistration;
      if (key.startsWith(this.o.keys.membersPrefix)) members.push(value);
      else if (key.startsWith(this.o.keys.ownersPrefix))
        owners.set(Number(key.slice(this.o.keys.ownersPrefix.length)), { reg: value, createRevision: Number(kv.create_revision) });
    }
    this.members = members.sort((a, b) => a.id - b.id);
    this.owners = new Map([...owners].map(([p, o]) => [p, o.reg]));
    if (this.closed) return;

    // Claims we hold locally that etcd no longer shows as ours: lost.
    for (const [p, fence] of [...this.mine]) {
      const o = owners.get(p);
      if (!o || o.reg.id !== this.o.self.id || o.createRevision !== fence) {
        this.mine.delete(p);
        this.o.listener.released(p);
      }
    }
    const live = Math.max(1, this.members.length + (this.members.some((m) => m.id === this.o.self.id) ? 0 : 1));
    const share = Math.ceil(this.o.partitions / live);

    // Above our share (a coordinator joined): give back the highest partitions.
    const held = sortNumbers([...this.mine.keys()]);
    while (held.length > share) {
      const p = held.pop() as number;
      const fence = this.mine.get(p) as number;
      this.mine.delete(p);
      this.o.listener.released(p);
      await this.o.etcd
        .if(this.o.keys.owner(p), 'Create', '==', fence)
        .then(this.o.etcd.delete().key(this.o.keys.owner(p)))
        .commit();
      this.o.logger.info({ partition: p, share }, 'gave a __consumer_offsets partition back to balance coordinators');
    }

    // Below our share: claim free partitions, starting at a place that depends on our rank so
    // coordinators starting together do not all race for the same ones.
    const rank = Math.max(
      0,
      this.members.findIndex((m) => m.id === this.o.self.id),
    );
    for (let i = 0; i < this.o.partitions && this.mine.size < share && !this.closed; i++) {
      const p = (i + rank * share) % this.o.partitions;
      if (owners.has(p) || this.mine.has(p)) continue;
      const key = this.o.keys.owner(p);
      const txn = await this.o.etcd
        .if(key, 'Create', '==', 0)
        .then(this.o.etcd.put(key).value(JSON.stringify(this.o.self)).lease(leaseId))
        .commit();
      if (!txn.succeeded) continue;
      const fence = Number(txn.header.revision);
      if (this.closed || this.lease !== lease) return;
      this.mine.set(p, fence);
      this.owners.set(p, this.o.self);
      this.o.logger.info({ partition: p, fence }, 'now owns a __consumer_offsets partition');
      this.o.listener.acquired(p, fence);
    }
  }
}

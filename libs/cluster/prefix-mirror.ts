/**
 * One etcd key prefix mirrored into memory, the scheme every watched view uses (ClusterView for
 * the metadata, libs/security SecurityView for ACLs and quotas):
 *
 * 1. read everything under the prefix at one revision and hand it over as a snapshot;
 * 2. watch from the next revision and hand over each put or delete, in revision order, so no
 *    change is missed or applied twice;
 * 3. when the watch fails for good (e.g. its revision was compacted away), cancel it and start
 *    again at 1; a read that fails is retried every `retryMs` until it works or the mirror closes.
 *
 * The mirror owns its watcher and its retry timer; close() cancels the one and clears the other,
 * so a closed mirror calls no handler and leaves nothing scheduled. Handlers run synchronously;
 * what they throw is the caller's bug and propagates to the watch's event emitter.
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { Logger } from '../telemetry/index.js';

export interface PrefixMirrorHandlers {
  /** Everything under the prefix at `revision`: on start, and after every reload (replace what you had). */
  snapshot(kvs: readonly IKeyValue[], revision: string): void;
  /** One change after the snapshot; `deleted` for a delete (then kv.value is empty). */
  change(kv: IKeyValue, deleted: boolean): void;
}

export interface PrefixMirrorOptions {
  etcd: Etcd3;
  prefix: string;
  logger: Logger;
  /** What is mirrored, for log lines ("the cluster view", "ACLs and quotas"). */
  what: string;
  handlers: PrefixMirrorHandlers;
  /** Delay between failed reloads. Default 1000 ms. */
  retryMs?: number;
}

export class PrefixMirror {
  private watcher: Watcher | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: PrefixMirrorOptions) {}

  /** Loads the snapshot (its failure is start's), then keeps it current until close(). */
  static async start(options: PrefixMirrorOptions): Promise<PrefixMirror> {
    const mirror = new PrefixMirror(options);
    await mirror.load();
    return mirror;
  }

  /** Stops watching; no handler runs afterwards and no retry stays scheduled. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const w = this.watcher;
    this.watcher = undefined;
    if (w) await w.cancel().catch(() => undefined);
  }

  private async load(): Promise<void> {
    const { etcd, prefix, handlers, logger, what } = this.options;
    const res = await etcd.getAll().prefix(prefix).exec();
    if (this.closed) return;
    handlers.snapshot(res.kvs, res.header.revision);
    const watcher = await etcd
      .watch()
      .prefix(prefix)
      .startRevision(String(BigInt(res.header.revision) + 1n))
      .create();
    if (this.closed) {
      await watcher.cancel();
      return;
    }
    this.watcher = watcher;
    watcher.on('put', (kv: IKeyValue) => {
      if (!this.closed) handlers.change(kv, false);
    });
    watcher.on('delete', (kv: IKeyValue) => {
      if (!this.closed) handlers.change(kv, true);
    });
    watcher.on('error', (err) => {
      if (this.closed || this.watcher !== watcher) return;
      logger.warn({ err }, `the etcd watch of ${what} failed; reloading`);
      void watcher.cancel().catch(() => undefined);
      this.watcher = undefined;
      this.reloadWithRetry();
    });
  }

  private reloadWithRetry(): void {
    if (this.closed) return;
    this.load().catch((err: unknown) => {
      if (this.closed) return;
      this.options.logger.warn({ err }, `reloading ${this.options.what} failed; retrying in ${this.options.retryMs ?? 1000} ms`);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.reloadWithRetry();
      }, this.options.retryMs ?? 1000);
    });
  }
}

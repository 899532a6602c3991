/**
 * One etcd key prefix mirrored into memory, the scheme every watched view uses (ClusterView for
 * the metadata, libs/security SecurityView for ACLs and quotas):
 *
 * 1. read everything under the prefix at one revision and hand it over as a snapshot (in pages of
 *    at most `pageSize` keys, all at the first page's revision: one range of the whole prefix is
 *    one gRPC message, and past 4 MiB, about 17,000-33,000 partitions, the client refuses it with
 *    RESOURCE_EXHAUSTED and no process could start);
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
import { etcd3 } from './etcd.js';
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
  /** Most keys per snapshot read. Default DEFAULT_SNAPSHOT_PAGE_KEYS. */
  pageSize?: number;
}

/**
 * A page of 1,000 keys stays under gRPC's 4 MiB while values average under 4 KiB (partition records
 * are ~150-300 B, topic records ~600 B). Not adaptive on purpose: the etcd client counts a refused
 * oversized response as a failure of the host, retries it and opens its circuit breaker.
 */
export const DEFAULT_SNAPSHOT_PAGE_KEYS = 1000;

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
    const { kvs, revision } = await this.readSnapshot();
    if (this.closed) return;
    handlers.snapshot(kvs, revision);
    const watcher = await etcd
      .watch()
      .prefix(prefix)
      .startRevision(String(BigInt(revision) + 1n))
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

  /** Every key under the prefix at one revision, read page by page (module comment, 1). */
  private async readSnapshot(): Promise<{ kvs: IKeyValue[]; revision: string }> {
    const { etcd, prefix } = this.options;
    const { Range } = etcd3();
    const end = Range.prefix(prefix).end;
    const kvs: IKeyValue[] = [];
    let revision: string | undefined;
    let start = Buffer.from(prefix);
    const page = Math.max(1, this.options.pageSize ?? DEFAULT_SNAPSHOT_PAGE_KEYS);
    for (;;) {
      let read = etcd.getAll().inRange(new Range(start, end)).limit(page);
      if (revision !== undefined) read = read.revision(revision);
      const res = await read.exec();
      revision ??= res.header.revision;
      kvs.push(...res.kvs);
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last || this.closed) return { kvs, revision };
      // The next page starts just after the last key read (keys come in byte order).
      start = Buffer.concat([last.key, Buffer.alloc(1)]);
    }
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

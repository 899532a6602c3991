/**
 * ACLs and quotas in etcd, and the watched copy every service keeps of them.
 *
 * Keys, under the cluster prefix `/samsa/<clusterId>` (libs/cluster MetadataKeys.root):
 *
 *   /security/acls/<bindingId>          AclBinding (JSON)   bindingId = hash of its fields (acl.ts)
 *   /security/quotas/<entityKey>        Quota (JSON)        entityKey = user=<u>,client-id=<c> (quota.ts)
 *
 * Only the active controller writes them, in transactions fenced on its election key
 * (security-admin.ts). Every service reads them through a SecurityView: one read at a revision,
 * then a watch from the next, so a change applies everywhere within moments and without a restart
 * (libs/cluster PrefixMirror, as ClusterView). A watch that fails reloads everything. Values
 * that do not parse or validate are logged and skipped, never half-applied.
 */
import type { Etcd3, IKeyValue } from 'etcd3';
import { PrefixMirror } from '../../cluster/index.js';
import type { Logger } from '../../telemetry/index.js';
import { validateBinding, type AclBinding } from '../acl/acl.js';
import { validateQuota, type Quota } from '../quota/quota.js';

export class SecurityKeys {
  constructor(private readonly clusterRoot: string) {}
  get root(): string {
    return `${this.clusterRoot}/security/`;
  }
  get aclsPrefix(): string {
    return `${this.root}acls/`;
  }
  acl(id: string): string {
    return `${this.aclsPrefix}${id}`;
  }
  get quotasPrefix(): string {
    return `${this.root}quotas/`;
  }
  quota(entityKey: string): string {
    return `${this.quotasPrefix}${entityKey}`;
  }
}

export class SecurityView {
  private readonly acls = new Map<string, AclBinding>();
  private readonly quotaMap = new Map<string, Quota>();
  private readonly listeners = new Set<() => void>();
  private mirror: PrefixMirror | undefined;

  private constructor(
    readonly keys: SecurityKeys,
    private readonly logger: Logger,
  ) {}

  static async start(etcd: Etcd3, keys: SecurityKeys, logger: Logger): Promise<SecurityView> {
    const view = new SecurityView(keys, logger);
    view.mirror = await PrefixMirror.start({
      etcd,
      prefix: keys.root,
      logger,
      what: 'ACLs and quotas',
      handlers: { snapshot: (kvs) => view.onSnapshot(kvs), change: (kv, deleted) => view.onEvent(kv, deleted) },
    });
    return view;
  }

  /** Every ACL binding, keyed by binding id. */
  aclBindings(): ReadonlyMap<string, AclBinding> {
    return this.acls;
  }

  /** Every quota, keyed by entity key (quota.ts entityKey). */
  quotas(): ReadonlyMap<string, Quota> {
    return this.quotaMap;
  }

  /** Called after every applied change (and after a reload). Returns the remover. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.mirror?.close();
  }

  private onSnapshot(kvs: readonly IKeyValue[]): void {
    this.acls.clear();
    this.quotaMap.clear();
    for (const kv of kvs) this.apply(kv.key.toString(), kv.value.toString());
    this.emit();
  }

  private onEvent(kv: IKeyValue, deleted: boolean): void {
    this.apply(kv.key.toString(), deleted ? undefined : kv.value.toString());
    this.emit();
  }

  private apply(key: string, raw: string | undefined): void {
    const parse = <T>(check: (v: T) => T): T | undefined => {
      if (raw === undefined) return undefined;
      try {
        return check(JSON.parse(raw) as T);
      } catch (err) {
        this.logger.error({ key, err }, 'invalid ACL or quota in etcd; ignoring it');
        return undefined;
      }
    };
    if (key.startsWith(this.keys.aclsPrefix)) {
      const id = key.slice(this.keys.aclsPrefix.length);
      const b = parse<AclBinding>(validateBinding);
      if (b) this.acls.set(id, b);
      else this.acls.delete(id);
    } else if (key.startsWith(this.keys.quotasPrefix)) {
      const id = key.slice(this.keys.quotasPrefix.length);
      const q = parse<Quota>(validateQuota);
      if (q) this.quotaMap.set(id, q);
      else this.quotaMap.delete(id);
    }
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.logger.error({ err }, 'ACL/quota listener failed');
      }
    }
  }
}

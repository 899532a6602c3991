/**
 * The active controller's writes of ACLs and quotas (keys in security-view.ts). Every write is a
 * transaction fenced on the controller's election key (libs/cluster commitIfLeader), so a deposed
 * controller cannot change them. Each change is logged as an audit line (audit.ts).
 *
 * Deletes are computed from the controller's watched copy and guarded per key on its mod revision,
 * so a binding changed between the read and the write is not deleted blindly: the caller retries.
 */
import type { Etcd3 } from 'etcd3';
import { commitIfLeader, GuardFailedError, type Fence, type Guard, type Op } from '../../cluster/index.js';
import { SamsaError } from '../../errors/index.js';
import { bindingId, filterMatches, isEmptyFilter, validateBinding, type AclBinding, type AclFilter } from '../acl/acl.js';
import { entityKey, validateEntity, validateQuota, type Quota, type QuotaEntity } from '../quota/quota.js';
import type { AuditLog } from '../audit.js';
import type { SecurityView } from './security-view.js';

export class SecurityAdmin {
  constructor(
    private readonly etcd: Etcd3,
    private readonly view: SecurityView,
    private readonly fence: Fence,
    private readonly audit: AuditLog,
  ) {}

  async createAcls(bindings: readonly AclBinding[], by: string): Promise<void> {
    bindings.forEach((b, i) => validateBinding(b, `ACL binding ${i}`));
    if (bindings.length === 0) return;
    await commitIfLeader(
      this.etcd,
      this.fence,
      [],
      bindings.map((b) => ({ put: this.view.keys.acl(bindingId(b)), value: JSON.stringify(b) })),
    );
    for (const b of bindings) this.audit.aclChanged('created', b, by);
  }

  async deleteAcls(filters: readonly AclFilter[], by: string): Promise<AclBinding[]> {
    filters.forEach((f, i) => {
      if (isEmptyFilter(f))
        throw new SamsaError('INVALID_REQUEST', `ACL filter ${i} sets no field: it would delete every ACL; name at least one field`);
    });
    const doomed = new Map<string, AclBinding>();
    for (const [id, b] of this.view.aclBindings()) if (filters.some((f) => filterMatches(f, b))) doomed.set(id, b);
    if (doomed.size === 0) return [];
    const guards: Guard[] = [...doomed.keys()].map((id) => ({ key: this.view.keys.acl(id), target: 'Version', cmp: '>', value: 0 }));
    const ops: Op[] = [...doomed.keys()].map((id) => ({ delete: this.view.keys.acl(id) }));
    try {
      await commitIfLeader(this.etcd, this.fence, guards, ops);
    } catch (err) {
      if (err instanceof GuardFailedError) throw new SamsaError('NOT_READY', 'the ACLs changed while deleting; retry', { cause: err });
      throw err;
    }
    for (const b of doomed.values()) this.audit.aclChanged('deleted', b, by);
    return [...doomed.values()];
  }

  async alterQuotas(set: readonly Quota[], remove: readonly QuotaEntity[], by: string): Promise<void> {
    set.forEach((q) => validateQuota(q));
    remove.forEach((e) => validateEntity(e));
    const ops: Op[] = [
      ...set.map((q) => ({ put: this.view.keys.quota(entityKey(q.entity)), value: JSON.stringify(q) })),
      ...remove.map((e) => ({ delete: this.view.keys.quota(entityKey(e)) })),
    ];
    if (ops.length === 0) return;
    await commitIfLeader(this.etcd, this.fence, [], ops);
    for (const q of set) this.audit.quotaChanged('set', q.entity, q.limits, by);
    for (const e of remove) this.audit.quotaChanged('removed', e, undefined, by);
  }
}

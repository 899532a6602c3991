/**
 * Fenced writes: every metadata write the controller makes is an etcd transaction that commits
 * only while the controller's election key still exists with the create revision it had when this
 * controller was elected. A deposed controller (paused, partitioned, lease expired) can therefore
 * never write, whatever it believes — a lease alone is not exclusion.
 */
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../errors/index.js';

export interface Fence {
  /** The campaign key in etcd (election prefix + lease id). */
  key: string;
  /** Its create revision: the fencing token. */
  createRevision: string;
}

/** An extra condition on the transaction, e.g. "this key does not exist yet" (createRevision '0'). */
export interface Guard {
  key: string;
  target: 'Create' | 'Mod' | 'Version' | 'Value';
  cmp: '==' | '!=' | '<' | '>';
  value: string | number;
}

export type Op = { put: string; value: string } | { delete: string } | { deletePrefix: string };

export class GuardFailedError extends Error {
  constructor() {
    super('a guarded key changed concurrently');
    this.name = 'GuardFailedError';
  }
}

/**
 * Commits `ops` iff the fence stands and every guard holds. Throws SamsaError NOT_CONTROLLER when
 * the fence fell, GuardFailedError when only a guard failed (the caller re-reads and decides).
 */
export async function commitIfLeader(etcd: Etcd3, fence: Fence, guards: readonly Guard[], ops: readonly Op[]): Promise<void> {
  let txn = etcd.if(fence.key, 'Create', '==', fence.createRevision);
  for (const g of guards) txn = txn.and(g.key, g.target, g.cmp, g.value);
  const clauses = ops.map((op) =>
    'put' in op ? etcd.put(op.put).value(op.value) : 'delete' in op ? etcd.delete().key(op.delete) : etcd.delete().prefix(op.deletePrefix),
  );
  const res = await txn
    .then(...clauses)
    .else(etcd.get(fence.key))
    .commit();
  if (res.succeeded) return;
  const fenceStands = (res.responses[0]?.response_range?.kvs ?? []).some((kv) => kv.create_revision === fence.createRevision);
  if (!fenceStands) throw new SamsaError('NOT_CONTROLLER', 'this controller was deposed; the write was refused');
  throw new GuardFailedError();
}

/**
 * FindCoordinator's lookup for processes that do not own groups (brokers): reads the owner of the group's
 * __consumer_offsets partition from etcd (ownership.ts), one etcd read per call. An empty group id
 * asks for any live coordinator (for cluster-wide calls such as ListGroups). Throws NOT_COORDINATOR
 * (retriable) when no coordinator owns it right now or none has started.
 */
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../errors/index.js';
import { groupPartition } from './offsets-log.js';
import type { CoordinatorKeys, CoordinatorRegistration } from './ownership.js';

export async function lookupCoordinator(
  etcd: Etcd3,
  keys: CoordinatorKeys,
  offsetsPartitions: number | undefined,
  groupId: string,
): Promise<CoordinatorRegistration> {
  if (groupId === '') {
    const any = Object.values(await etcd.getAll().prefix(keys.membersPrefix).limit(1).strings())[0];
    if (any === undefined) throw new SamsaError('NOT_COORDINATOR', 'no group coordinator is running');
    return JSON.parse(any) as CoordinatorRegistration;
  }
  if (!offsetsPartitions)
    throw new SamsaError('NOT_COORDINATOR', 'no group coordinator has started yet (__consumer_offsets does not exist)');
  const raw = await etcd.get(keys.owner(groupPartition(groupId, offsetsPartitions))).string();
  if (raw === null)
    throw new SamsaError('NOT_COORDINATOR', `no coordinator owns group "${groupId}" right now (a takeover is under way); retry shortly`);
  return JSON.parse(raw) as CoordinatorRegistration;
}

/**
 * FindCoordinator on a broker (the coordinators own every other group call): the owner of the
 * group's __consumer_offsets partition, read from etcd by libs/group's lookupCoordinator.
 */
import type { Etcd3 } from 'etcd3';
import { unary, type v1 } from '../../../libs/rpc/index.js';
import { lookupCoordinator, type CoordinatorKeys } from '../../../libs/group/index.js';

export function findCoordinatorHandlers(
  etcd: Etcd3,
  keys: CoordinatorKeys,
  offsetsPartitions: () => number | undefined,
): Pick<v1.CoordinatorServiceHandlers, 'FindCoordinator'> {
  return {
    FindCoordinator: unary(async (req) => {
      const owner = await lookupCoordinator(etcd, keys, offsetsPartitions(), req.groupId);
      return { coordinatorId: owner.id, host: owner.host, port: owner.port };
    }),
  };
}

/**
 * GetMetadata: the cluster as this broker's ClusterView sees it (the same shape the controller
 * answers). A broker that holds no registration (not joined yet, or its lease ran out: cut off from
 * etcd) refuses with NOT_READY instead: its view may be stale, naming itself leader of partitions
 * that have moved on, and a client asking it would keep coming back to it. Clients ask another
 * broker on NOT_READY.
 */
import type { v1 } from '../../../libs/rpc/index.js';
import { toMetadataResponse } from '../../../libs/service/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import type { BrokerContext } from './context.js';

export async function getMetadata(ctx: BrokerContext, request: v1.GetMetadataRequest__Output): Promise<v1.GetMetadataResponse> {
  if (ctx.replicas.brokerEpoch === undefined) {
    throw new SamsaError(
      'NOT_READY',
      `broker ${ctx.brokerId} is not registered in the cluster right now (etcd unreachable?); its metadata may be stale: ask another broker`,
    );
  }
  return toMetadataResponse(ctx.view, ctx.clusterId, request.topics);
}

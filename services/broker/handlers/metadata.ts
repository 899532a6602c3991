/** GetMetadata: the cluster as this broker's ClusterView sees it (the same shape the controller answers). */
import type { v1 } from '../../../libs/rpc/index.js';
import { toMetadataResponse } from '../../../libs/cluster/index.js';
import type { BrokerContext } from './context.js';

export async function getMetadata(ctx: BrokerContext, request: v1.GetMetadataRequest__Output): Promise<v1.GetMetadataResponse> {
  return toMetadataResponse(ctx.view, ctx.clusterId, request.topics);
}

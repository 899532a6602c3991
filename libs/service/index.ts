/**
 * What every Samsa service process shares: the lifecycle (lifecycle.ts: read config, start,
 * unwind on failure, stop on signal), the common config block (config.ts), the stack of what it
 * opened (resources.ts), a cluster member's first steps (cluster-member.ts: TLS, etcd, cluster
 * view, access control) and its gRPC server (grpc-endpoint.ts: health, bind, close), a raw TCP/TLS
 * listener's same step for a service with a protocol of its own (socket-listener.ts), and the
 * proto form of cluster metadata that brokers and controllers answer with (metadata-proto.ts).
 * Import only through here.
 */
export { runService, type ServiceDefinition, type Running } from './lifecycle.js';
export { Resources } from './resources.js';
export { setHeapGrowth, operatorFlags, HEAP_GROWING_PERCENT } from './heap-growth.js';
export {
  gcThreadsNodeArgs,
  gcThreadsOfProcess,
  gcThreadsMismatch,
  parseGcThreads,
  GC_THREADS_MODES,
  DEFAULT_GC_THREADS,
  SINGLE_THREADED_GC_FLAG,
  SINGLE_THREADED_GC_MAX_CORES,
  type GcThreads,
} from './gc-threads.js';
export { youngGenerationNodeArgs, BROKER_MAX_SEMI_SPACE_MB, BROKER_YOUNG_GENERATION_FLAG } from './young-generation.js';
export { joinCluster, type ClusterMember } from './cluster-member.js';
export { serveGrpc, type GrpcEndpoint, type GrpcEndpointOptions, type ServedService } from './grpc-endpoint.js';
export { serveSockets, type SocketListener, type SocketListenerOptions } from './socket-listener.js';
export { topicConfigToProto, topicInfoOf, toTopicInfo, toMetadataResponse } from './metadata-proto.js';
export {
  serviceConfigSpec,
  clusterServiceConfigSpec,
  loadServiceConfig,
  type ServiceConfig,
  type ClusterServiceConfig,
  type ServiceConfigDefaults,
  type ClusterServiceConfigDefaults,
} from './config.js';

/** gRPC plumbing shared by every Samsa service and client. Import this lib only through here. */
export { loadSamsaProto, protoRoot, PROTO_LOADER_OPTIONS, type SamsaProto } from './proto.js';
export { toGrpcStatus, fromServiceError, grpcCodeFor, isServiceError, REASON_TRAILER, RETRIABLE_TRAILER } from './status.js';
export { serverOptions, clientOptions, setAccessGuard, DEFAULT_RPC_LIMITS, RECEIVE_WINDOW_BYTES, type RpcLimits } from './options.js';
export { unary, serverStream, bidiStream, writeWithBackpressure } from './handlers.js';
export { WriteBudget } from './write-budget.js';
export type { UnaryHandler, ServerStreamHandler, BidiHandler } from './handlers.js';
export { checkedOffset, checkedInt32, requiredString, MAX_OFFSET } from './wire.js';
export { HealthReporter, checkHealth, type ServingStatus } from './health.js';
export { createServer, bindServer, shutdownServer } from './server.js';
export { brokerClient, controllerClient, replicationClient, coordinatorClient } from './clients.js';
export { ClientPool, DEFAULT_CLIENT_IDLE_MS, type ClientPoolOptions } from './client-pool.js';
export { callUnary, deadlineIn, type UnaryCallOptions } from './call.js';
export {
  coversProduceRequest,
  encodeProduceRequest,
  produceEncoded,
  produceRequestHeadroom,
  type ProduceRequestFields,
} from './encoded-produce.js';
export {
  isServiceCall,
  claimedPrincipal,
  setPrincipalResolver,
  setServiceIdentity,
  SERVICE_IDENTITY_HEADER,
  type ServiceKind,
} from './principal.js';
export { InvalidRequest } from './strict-requests.js';
export { onShutdown } from './shutdown-fanout.js';
export * from './limits.js';
export { defaultChannelCredentials, defaultServerCredentials, setDefaultTransport } from './transport.js';
export * as v1 from './generated/samsa/v1/index.js';

/**
 * Broker-to-broker replication: the leader's ReplicationService (leader-service.ts), the
 * follower's one-stream-per-leader fetchers (leader-fetcher.ts) and the manager that plans them
 * and maintains the ISR (replication-manager.ts). Import this lib only through here.
 */
export { replicationHandlers, type LeaderServiceOptions } from './leader-service.js';
export { ReplicationManager, type ReplicationManagerOptions } from './replication-manager.js';
export { truncationPlan, type TruncationPlan, type DivergenceInput } from './divergence.js';

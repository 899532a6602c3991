/**
 * Keeping a partition's replicas in sync (broker-to-broker replication): the Replicate protocol's
 * per-partition steps (exchange.ts: the leader's check and read, the follower's apply), which the
 * broker's ReplicationService handler (services/broker/handlers/replicate.ts) and the property test
 * run; the follower's one-stream-per-leader fetchers (leader-fetcher.ts); and the manager that plans
 * them and maintains the ISR (replication-manager.ts). The partition replica itself is libs/replica.
 * Import this lib only through here.
 */
export { checkPosition, readPosition, applyPartitionData, errorData, type Checked } from './exchange.js';
export { ReplicationManager, type ReplicationManagerOptions } from './replication-manager.js';
export { truncationPlan, type TruncationPlan, type DivergenceInput } from './divergence.js';
export { FollowerSession, LeaderSession, positionKey, type LeaderHeld, type HeldPosition } from './fetch-session.js';

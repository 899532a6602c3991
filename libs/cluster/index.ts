/** Cluster membership and metadata in etcd. Import this lib only through here. */
export * from './metadata.js';
export { connectEtcd } from './etcd.js';
export { Membership, type MembershipJoinOptions } from './membership.js';
export { MembershipOwner } from './membership-owner.js';
export {
  controlledShutdown,
  handedOver,
  notHandedOver,
  type ControlledShutdownOptions,
  type ShutdownMarker,
} from './controlled-shutdown.js';
export { IN_THREAD_KEEPING, type LeaseKeeping, type KeptLease, type KeepOptions } from './lease-keeping.js';
export { LeaseKeeper, type LeaseKeeperOptions } from './lease-keeper.js';
export { ClusterView, type ClusterChange } from './cluster-view.js';
export { PrefixMirror, type PrefixMirrorHandlers, type PrefixMirrorOptions } from './prefix-mirror.js';
export {
  validateTopicName,
  assertNotInternalTopic,
  INTERNAL_TOPIC_PREFIX,
  validatePartitionCount,
  resolveTopicConfig,
  type TopicConfigRequest,
  MAX_TOPIC_NAME_LENGTH,
  MAX_PARTITIONS,
} from './topic-rules.js';
export { assignReplicas } from './placement.js';
export { checkReplicaBudget, replicasPerBroker, DEFAULT_MAX_REPLICAS_PER_BROKER, type ReplicaCountSource } from './replica-budget.js';
export { commitIfLeader, GuardFailedError, type Fence, type Guard, type Op } from './fenced.js';
export { ControllerElection } from './election.js';
export {
  eligibleReplicas,
  withIsr,
  onBrokersChanged,
  onBrokersRestarted,
  onBrokersShuttingDown,
  onPreferredLeaderCheck,
  stampLeaderIncarnation,
  leaderIncarnationStale,
  type Eligibility,
  type LeaderStatus,
} from './partition-state-machine.js';
export { alterIsrs, validateIsr, MAX_ISR_CHANGES_PER_TXN, type IsrChange, type IsrChangeResult } from './isr.js';
export { ProducerIdAllocator, RESERVED_PRODUCER_IDS_FROM } from './producer-ids.js';
export { addingReplicas, removingReplicas, addingThrottle } from './reassignment.js';

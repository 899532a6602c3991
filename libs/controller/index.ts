/**
 * The controller's logic (docs/adr/0021): topic commands, leader election and ISR changes when
 * brokers come, go, restart or shut down, broker admission, and the election of the controller
 * itself. Pure decisions in leadership.ts and topic-plans.ts (unit-tested without processes), the
 * fenced writes in active-controller.ts. No proto here: services/controller's handlers convert.
 * Import this lib only through here.
 */
export type { CreateTopicCommand, CreatePartitionsCommand, AlterTopicConfigCommand, TopicOutcome } from './commands.js';
export { ActiveController, type ActiveControllerOptions } from './active-controller.js';
export { ControllerCandidate, type CandidateOptions } from './candidate.js';
export { internalTopicCommand, planInternalTopicMigration, type InternalTopicRequest } from './internal-topics.js';
export {
  brokerFacts,
  admittedBrokers,
  liveFor,
  decideLeadership,
  decidePreferredLeader,
  type BrokerFacts,
  type BrokerStatusSource,
  type LeadershipDecision,
} from './leadership.js';
export {
  checkNewTopic,
  planNewTopic,
  checkMorePartitions,
  planMorePartitions,
  planConfigChange,
  planDeletion,
  type Placement,
  type TopicPlan,
} from './topic-plans.js';
export {
  DEFAULT_LEADER_IMBALANCE_PERCENT,
  DEFAULT_LEADER_IMBALANCE_CHECK_MS,
  DEFAULT_REASSIGNMENT_THROTTLE_BYTES_PER_SECOND,
} from './active-controller.js';
export {
  decideElection,
  leaderImbalance,
  rebalanceMoves,
  type ElectionType,
  type ElectionDecision,
  type BrokerImbalance,
} from './elections.js';
export { checkTarget, startReassignment, advanceReassignment, cancelReassignment } from './reassignments.js';
export type { ElectionResult, ReassignCommand, PartitionRef } from './partition-moves.js';

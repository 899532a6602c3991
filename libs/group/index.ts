/** Consumer groups: assignors, the group state machine, the offsets log format. Import only through here. */
export {
  range,
  roundRobin,
  sticky,
  ASSIGNORS,
  tpKey,
  compareTp,
  type TopicPartition,
  type MemberSubscription,
  type AssignorInput,
  type GroupAssignment,
  type AssignorName,
  type Assignor,
} from './assignors.js';
export {
  Group,
  DEFAULT_GROUP_LIMITS,
  DEFAULT_SESSION_TIMEOUT_MS,
  type GroupState,
  type GroupLimits,
  type JoinRequest,
  type MemberEvent,
  type MemberDescription,
  type GroupDescription,
} from './group.js';
export {
  OffsetsState,
  OFFSETS_TOPIC,
  FENCE_HEADER,
  groupPartition,
  offsetKey,
  offsetRecord,
  fenceRecord,
  kafkaHoldRecord,
  offsetsWriter,
  type OffsetsWriter,
  type Committed,
  type CommittedOffsetValue,
  type KafkaHold,
  type OffsetsRecord,
} from './offsets-log.js';
export {
  PartitionOwnership,
  CoordinatorKeys,
  nextWriterEpoch,
  type CoordinatorRegistration,
  type OwnershipListener,
  type OwnershipOptions,
} from './ownership.js';
export {
  GroupCoordinator,
  type GroupCoordinatorOptions,
  type MemberListener,
  type OffsetToCommit,
  type GroupSummary,
  type ShareGroupsHook,
  SHARE_GROUP_METADATA,
} from './coordinator.js';
export type { OffsetsLog, OffsetsClaims } from './offsets-partitions.js';
export { lookupCoordinator } from './find-coordinator.js';
export {
  MemberSession,
  type MemberSessionDeps,
  type MemberConnection,
  type MemberJoin,
  type MemberRequest,
  type RecordSource,
  type SessionRecord,
} from './member-session.js';
export {
  SharePartition,
  DEFAULT_SHARE_CONFIG,
  parseShareSnapshot,
  parseStoredShareState,
  type StoredShareState,
  type ShareSnapshot,
  type ShareRun,
  type ShareConfig,
  type ShareRecordInfo,
  type ShareRecordState,
  type Delivery,
  type DeadLetter,
  type DeadLetterReason,
  type ShareCounts,
} from './share-partition.js';
export {
  ShareGroup,
  WINDOW as SHARE_WINDOW,
  type ShareSourceRecord,
  type ShareRecordSource,
  type DeadLetterSink,
  type ShareMemberConnection,
  type ShareGroupConfig,
  type ShareMemberLimits,
  type ShareAnswer,
  type ShareGroupDeps,
  type ShareGroupCounts,
  type SharePartitionWrite,
  type ShareWriteToken,
} from './share-group.js';
export { ShareGroups, type ShareJoinRequest, type ShareGroupsDeps, type ShareGroupsStats } from './share-groups.js';
export { MemberHoldings, type HeldRecord } from './member-holdings.js';

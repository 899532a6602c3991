/**
 * Kafka's classic consumer-group protocol as the Kafka gateway runs it (docs/adr/0046, 0050):
 * one group's state machine (classic-group.ts: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, the
 * commit checks; Kafka's error codes as results), every group of a gateway with the timer that
 * expires sessions and rebalances (classic-groups.ts), and when the gateway holds and releases its
 * groups in Samsa's coordinator (group-holds.ts). No wire format and no gRPC: the gateway's
 * protocol adapters (services/kafka-gateway/apis/groups.ts) decode requests, call these and make
 * the calls to Samsa. Import only through here.
 */
export {
  ClassicGroup,
  ENTERED_FROM,
  type GroupState,
  type JoinOptions,
  type JoinResult,
  type Member,
  type Protocol,
  type SyncResult,
} from './classic-group.js';
export { ClassicGroups, type ClassicGroupsOptions } from './classic-groups.js';
export { GroupHolds, type GroupHoldsOptions, type HoldRequest } from './group-holds.js';

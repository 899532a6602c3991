/**
 * What a Kafka API handler gets: the request's header, the connection's caller (whose principal
 * every Samsa call carries), the gateway's own address (it is the only broker clients see:
 * docs/adr/0045), the upstream, the classic groups this gateway runs and their holds, and a logger.
 */
import type { RequestHeader } from '../../../libs/kafka-protocol/index.js';
import type { Logger } from '../../../libs/telemetry/index.js';
import type { Caller, Upstream } from '../upstream.js';
import type { ClassicGroups, GroupHolds } from '../../../libs/kafka-group/index.js';

export interface GatewayNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface RequestContext {
  readonly header: RequestHeader;
  readonly caller: Caller;
  readonly upstream: Upstream;
  readonly node: GatewayNode;
  readonly groups: ClassicGroups;
  /** The holds of this gateway's groups in Samsa's coordinator (docs/adr/0050). */
  readonly holds: GroupHolds<Caller>;
  /** The client's address, for DescribeGroups. */
  readonly clientHost: string;
  readonly logger: Logger;
}

/** A handler's answer: the response body, or null for none (Produce with acks=0 is never answered). */
export type Handler = (ctx: RequestContext, body: never) => Promise<object | null>;

export interface ApiEntry {
  readonly apiKey: number;
  readonly min: number;
  readonly max: number;
  readonly handle: Handler;
}

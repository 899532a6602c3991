/**
 * GroupConsume: one bidirectional stream per group member, enough for a plain generated client.
 * The member's session (joining, reading, flow control, rebalance hand-over, commits, liveness) is
 * libs/group's MemberSession; this file turns the stream's messages into the session's requests
 * and its sends into messages, written with backpressure.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../libs/errors/index.js';
import { checkedInt32, checkedOffset, writeWithBackpressure, type v1 } from '../../libs/rpc/index.js';
import {
  MemberSession,
  type AssignorName,
  type GroupCoordinator,
  type MemberJoin,
  type MemberRequest,
  type TopicPartition,
} from '../../libs/group/index.js';
import type { Consumer, ConsumedMessage } from '../../libs/client/index.js';
import { ATTR, activeSpanContext, activeTelemetry, linksFromRecords, tracer, type Logger } from '../../libs/telemetry/index.js';
import type { SpanContext } from '@opentelemetry/api';

type Call = grpc.ServerDuplexStream<v1.GroupConsumeRequest__Output, v1.GroupConsumeResponse>;

export interface GroupConsumeDeps {
  coordinator: GroupCoordinator;
  consumer: Consumer;
  logger: Logger;
  shutdown: AbortSignal;
}

/** The most records a member may declare it holds unprocessed (as ShareJoin.max_records). */
const MAX_RECORDS = 100_000;

const ASSIGNOR_NAMES: Readonly<Record<string, AssignorName | undefined>> = {
  ASSIGNOR_UNSPECIFIED: undefined,
  ASSIGNOR_RANGE: 'range',
  ASSIGNOR_ROUND_ROBIN: 'roundRobin',
  ASSIGNOR_STICKY: 'sticky',
};

export function groupTopicPartitions(tps: readonly TopicPartition[]): v1.TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

/** A record as GroupConsume and ShareConsume send it (share-consume.ts adds the delivery count). */
export function toConsumedRecord(m: ConsumedMessage): v1.ConsumedRecord {
  return {
    partition: m.partition,
    offset: m.offset,
    timestampMs: m.timestampMs,
    ...(m.key ? { key: m.key } : {}),
    value: m.value ?? Buffer.alloc(0),
    headers: m.headers,
    leaderEpoch: m.leaderEpoch,
  };
}

function memberJoin(request: v1.GroupConsumeRequest__Output, peer: string): MemberJoin {
  const join = request.join;
  if (!join) throw new SamsaError('INVALID_REQUEST', 'the first message of GroupConsume must be `join`');
  if (!join.groupId) throw new SamsaError('INVALID_REQUEST', 'join.group_id is required');
  return {
    groupId: join.groupId,
    topics: join.topics,
    sessionTimeoutMs: join.sessionTimeoutMs,
    instanceId: join.groupInstanceId ?? undefined,
    assignor: ASSIGNOR_NAMES[join.assignor],
    reset: join.reset === 'OFFSET_POSITION_LATEST' ? 'latest' : 'earliest',
    clientHost: peer,
    maxChunksAhead: join.maxChunksAhead,
    maxRecords: checkedInt32(join.maxRecords, 'join.max_records', 0, MAX_RECORDS),
    maxBytes: checkedOffset(Number(join.maxBytes), 'join.max_bytes'),
    assignOnly: join.assignOnly,
  };
}

/** The stream's later messages as session requests; a bad offset ends the session with INVALID_ARGUMENT's reason. */
async function* memberRequests(requests: AsyncIterator<v1.GroupConsumeRequest__Output>): AsyncGenerator<MemberRequest> {
  for (;;) {
    const next = await requests.next();
    if (next.done) return;
    const req = next.value;
    if (req.leave) yield { kind: 'leave' };
    else if (req.processed)
      yield {
        kind: 'processed',
        tp: { topic: req.processed.topic, partition: req.processed.partition },
        offset: checkedOffset(req.processed.offset, 'processed.offset'),
      };
    else if (req.pause)
      yield { kind: 'pause', partitions: req.pause.partitions.map((partition) => ({ topic: req.pause?.topic ?? '', partition })) };
    else if (req.resume)
      yield { kind: 'resume', partitions: req.resume.partitions.map((partition) => ({ topic: req.resume?.topic ?? '', partition })) };
    else if (req.taken)
      yield { kind: 'taken', partitions: req.taken.partitions.map((partition) => ({ topic: req.taken?.topic ?? '', partition })) };
    else if (req.revoked)
      yield { kind: 'revoked', partitions: req.revoked.partitions.map((partition) => ({ topic: req.revoked?.topic ?? '', partition })) };
    else if (req.join) yield { kind: 'join' };
    // Any other message (empty): still a heartbeat, as before.
    else yield { kind: 'heartbeat' };
  }
}

/** One span per chunk sent to the member: a trace of its own, linked to the session and to the records' producers. */
function traceDelivery(
  session: SpanContext | undefined,
  groupId: string,
  memberId: string,
  tp: TopicPartition,
  chunk: readonly ConsumedMessage[],
): void {
  if (!activeTelemetry().traces) return;
  const links = [...(session ? [{ context: session }] : []), ...linksFromRecords(chunk)];
  const span = tracer.startSpan(`group.deliver ${tp.topic}`, {
    links,
    attributes: {
      [ATTR.group]: groupId,
      [ATTR.memberId]: memberId,
      [ATTR.topic]: tp.topic,
      [ATTR.partition]: tp.partition,
      [ATTR.baseOffset]: (chunk[0] as ConsumedMessage).offset,
      [ATTR.records]: chunk.length,
    },
    root: true,
  });
  span.end();
}

export async function groupConsume(deps: GroupConsumeDeps, call: Call): Promise<void> {
  // The member's GroupConsume server span: its deliveries and commits are traces of their own
  // linked to it, not children (one member would otherwise be one trace without end).
  const sessionSpan = activeSpanContext();
  // Not call[Symbol.asyncIterator](): when the client half-closes, that iterator destroys the
  // whole duplex stream, and our final status would never reach the client.
  const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterator<v1.GroupConsumeRequest__Output>;
  const first = await requests.next();
  if (first.done) return;
  const join = memberJoin(first.value, call.getPeer());
  const session = new MemberSession<ConsumedMessage>(
    {
      coordinator: deps.coordinator,
      records: deps.consumer,
      logger: deps.logger,
      shutdown: deps.shutdown,
      traceLink: sessionSpan,
      recordBytes: (m) => (m.value?.length ?? 0) + (m.key?.length ?? 0),
    },
    {
      sendAssignment: (a) =>
        writeWithBackpressure(call, {
          assignment: {
            memberId: a.memberId,
            generation: a.generation,
            partitions: groupTopicPartitions(a.partitions),
            committed: a.committed.map((c) => ({ topic: c.tp.topic, partition: c.tp.partition, offset: c.offset })),
          },
        }),
      sendRecords: (tp, records) => {
        traceDelivery(sessionSpan, join.groupId, session.member, tp, records);
        return writeWithBackpressure(call, {
          records: { topic: tp.topic, partition: tp.partition, records: records.map(toConsumedRecord) },
        });
      },
      sendCommitted: (offsets) =>
        writeWithBackpressure(call, {
          committed: { offsets: offsets.map((c) => ({ topic: c.tp.topic, partition: c.tp.partition, offset: c.offset })) },
        }),
      gone: () => call.cancelled,
    },
  );
  const onGone = (): void => session.disconnect();
  call.on('cancelled', onGone);
  try {
    await session.run(join, memberRequests(requests));
  } finally {
    call.off('cancelled', onGone);
  }
}

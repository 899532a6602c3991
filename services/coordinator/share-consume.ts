/**
 * ShareConsume: one bidirectional stream per share-group member (ADR 0049, docs/queues.md). The
 * group's state (members, leases, readers, dead letters) is libs/group's ShareGroup; this file
 * checks the join, turns the stream's messages into answers and the group's deliveries into
 * messages. Deliveries are written without waiting for the transport: the member's own limits
 * (max_records, max_bytes) bound what can be outstanding on the stream.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError, toSamsaError } from '../../libs/errors/index.js';
import { checkedInt32, checkedOffset, type v1 } from '../../libs/rpc/index.js';
import type { GroupLimits, ShareAnswer, ShareGroups, ShareJoinRequest } from '../../libs/group/index.js';
import type { ConsumedMessage } from '../../libs/client/index.js';
import type { Logger } from '../../libs/telemetry/index.js';
import { toConsumedRecord } from './group-consume.js';

type Call = grpc.ServerDuplexStream<v1.ShareConsumeRequest__Output, v1.ShareConsumeResponse>;

export interface ShareConsumeDeps {
  shareGroups: ShareGroups<ConsumedMessage>;
  limits: GroupLimits;
  logger: Logger;
}

const DEFAULT_SESSION_TIMEOUT_MS = 45_000;
const DEFAULT_MAX_RECORDS = 500;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const MAX_RECORDS = 100_000;

export function shareJoinRequest(request: v1.ShareConsumeRequest__Output, limits: GroupLimits): ShareJoinRequest {
  const j = request.join;
  if (!j) throw new SamsaError('INVALID_REQUEST', 'the first message of ShareConsume must be `join`');
  if (!j.groupId) throw new SamsaError('INVALID_REQUEST', 'join.group_id is required');
  if (Buffer.byteLength(j.groupId) > 255) throw new SamsaError('INVALID_REQUEST', 'join.group_id is longer than 255 bytes');
  if (j.topics.length === 0 || j.topics.some((t) => !t))
    throw new SamsaError('INVALID_REQUEST', 'join.topics must name at least one topic');
  const sessionTimeoutMs = j.sessionTimeoutMs || DEFAULT_SESSION_TIMEOUT_MS;
  if (sessionTimeoutMs < limits.minSessionTimeoutMs || sessionTimeoutMs > limits.maxSessionTimeoutMs)
    throw new SamsaError(
      'INVALID_SESSION_TIMEOUT',
      `join.session_timeout_ms must be between ${limits.minSessionTimeoutMs} and ${limits.maxSessionTimeoutMs}, got ${sessionTimeoutMs}`,
    );
  const maxBytes = Number(j.maxBytes);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new SamsaError('INVALID_REQUEST', `join.max_bytes must be 0 or more, got ${j.maxBytes}`);
  return {
    groupId: j.groupId,
    topics: [...new Set(j.topics)],
    sessionTimeoutMs,
    reset: j.reset === 'OFFSET_POSITION_LATEST' ? 'latest' : 'earliest',
    limits: {
      records: checkedInt32(j.maxRecords, 'join.max_records', 0, MAX_RECORDS) || DEFAULT_MAX_RECORDS,
      bytes: maxBytes || DEFAULT_MAX_BYTES,
    },
    leaseMs: j.leaseMs ? checkedInt32(j.leaseMs, 'join.lease_ms', 1_000, 3_600_000) : undefined,
    maxDeliveryAttempts: j.maxDeliveryAttempts ? checkedInt32(j.maxDeliveryAttempts, 'join.max_delivery_attempts', 1, 1_000) : undefined,
    keyOrdered: j.keyOrdered ?? undefined,
    deadLetterTopic: j.deadLetterTopic || undefined,
  };
}

export function shareAnswers(acks: v1.ShareAcks__Output): ShareAnswer[] {
  return acks.acks.map((a) => {
    const tp = { topic: a.topic, partition: a.partition };
    const from = checkedOffset(Number(a.fromOffset), 'ack.from_offset');
    const to = Math.max(from, checkedOffset(Number(a.toOffset), 'ack.to_offset'));
    switch (a.type) {
      case 'SHARE_ACK_ACCEPT':
        return { type: 'accept', tp, from, to };
      case 'SHARE_ACK_RELEASE':
        return { type: 'release', tp, from, to, delayMs: checkedInt32(a.delayMs, 'ack.delay_ms', 0, 3_600_000) };
      case 'SHARE_ACK_REJECT':
        return { type: 'reject', tp, from, to };
      case 'SHARE_ACK_EXTEND':
        return { type: 'extend', tp, from, to };
      default:
        throw new SamsaError('INVALID_REQUEST', `ack.type must be ACCEPT, RELEASE, REJECT or EXTEND, got ${String(a.type)}`);
    }
  });
}

function toShareRecord(m: ConsumedMessage, deliveryCount: number): v1.ShareRecord {
  return { record: toConsumedRecord(m), deliveryCount };
}

export async function shareConsume(deps: ShareConsumeDeps, call: Call): Promise<void> {
  // Not call[Symbol.asyncIterator](): on the client's half-close it would destroy the stream before our status.
  const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterator<v1.ShareConsumeRequest__Output>;
  const first = await requests.next();
  if (first.done) return;
  const join = shareJoinRequest(first.value, deps.limits);
  let end: (failure?: SamsaError) => void = () => undefined;
  const ended = new Promise<SamsaError | undefined>((resolve) => (end = resolve));
  // The join hands out records at once; they go after `joined`, which must come first.
  let early: v1.ShareConsumeResponse[] | undefined = [];
  const { memberId, group } = deps.shareGroups.join(join, {
    send: (tp, records) => {
      if (call.cancelled || call.writableEnded) return;
      const message = {
        records: { topic: tp.topic, partition: tp.partition, records: records.map((r) => toShareRecord(r.record, r.deliveryCount)) },
      };
      if (early) early.push(message);
      else call.write(message);
    },
    committed: (sequence) => {
      if (call.cancelled || call.writableEnded) return;
      const message = { committed: { sequence } };
      if (early) early.push(message);
      else call.write(message);
    },
    removed: (reason) => end(reason),
  });
  const onCancelled = (): void => end();
  call.on('cancelled', onCancelled);
  try {
    call.write({
      joined: {
        memberId,
        leaseMs: group.config.leaseMs,
        maxDeliveryAttempts: group.config.maxDeliveryAttempts,
        keyOrdered: group.config.keyOrdered,
        deadLetterTopic: group.config.deadLetterTopic,
        maxRecords: join.limits.records,
        maxBytes: join.limits.bytes,
      },
    });
    for (const message of early) call.write(message);
    early = undefined;
    deps.logger.info({ groupId: join.groupId, memberId, topics: join.topics, limits: join.limits }, 'share member joined');
    void (async () => {
      for (;;) {
        const next = await requests.next();
        if (next.done || next.value.leave) break;
        if (next.value.join) throw new SamsaError('INVALID_REQUEST', 'join may be sent only once per stream');
        if (next.value.acks)
          group.answer(memberId, shareAnswers(next.value.acks), checkedOffset(Number(next.value.acks.sequence), 'acks.sequence'));
        else group.touch(memberId);
      }
      end();
    })().catch((err: unknown) => end(call.cancelled ? undefined : toSamsaError(err)));
    const failure = await ended;
    if (failure) throw failure;
  } finally {
    call.off('cancelled', onCancelled);
    group.leave(memberId);
    deps.logger.info({ groupId: join.groupId, memberId }, 'share member left');
  }
}

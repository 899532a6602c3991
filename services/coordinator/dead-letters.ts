/**
 * The share groups' dead-letter topics: a rejected record, or one past its delivery attempts, is
 * produced there (acks=all, idempotent, so a retried send is written once) with its key, value,
 * timestamp and headers, plus headers saying why and from where (the SDK's runner uses the same
 * `samsa.dlt.*` names for its own dead letters):
 *
 *   samsa.dlt.reason                                  rejected | max-delivery-attempts
 *   samsa.dlt.original.topic / .partition / .offset   where the record is
 *   samsa.dlt.delivery.count                          how many times it was delivered
 *   samsa.dlt.group                                   the share group
 *
 * A missing dead-letter topic is created with the source topic's partition count and replication factor.
 */
import { hasReason } from '../../libs/errors/index.js';
import type { ConsumedMessage, Producer, Samsa } from '../../libs/client/index.js';
import type { ClusterView } from '../../libs/cluster/index.js';
import type { DeadLetterSink, TopicPartition } from '../../libs/group/index.js';
import type { Logger } from '../../libs/telemetry/index.js';

export class DeadLetterTopics implements DeadLetterSink<ConsumedMessage> {
  private readonly producer: Producer;
  private readonly creating = new Map<string, Promise<void>>();

  constructor(
    private readonly samsa: Samsa,
    private readonly view: ClusterView,
    private readonly logger: Logger,
  ) {
    this.producer = samsa.producer({ acks: 'all' });
  }

  async send(
    groupId: string,
    topic: string,
    from: TopicPartition,
    record: ConsumedMessage,
    reason: 'rejected' | 'max-delivery-attempts',
    deliveryCount: number,
  ): Promise<void> {
    if (!this.view.topic(topic)) await this.create(topic, from.topic);
    const headers: Record<string, Buffer | string> = {};
    for (const h of record.headers) headers[h.key] = h.value;
    headers['samsa.dlt.reason'] = reason;
    headers['samsa.dlt.original.topic'] = from.topic;
    headers['samsa.dlt.original.partition'] = String(from.partition);
    headers['samsa.dlt.original.offset'] = String(record.offset);
    headers['samsa.dlt.delivery.count'] = String(deliveryCount);
    headers['samsa.dlt.group'] = groupId;
    await this.producer.send({
      topic,
      acks: 'all',
      messages: [{ key: record.key, value: record.value, headers, ...(record.timestampMs > 0 ? { timestampMs: record.timestampMs } : {}) }],
    });
  }

  private create(topic: string, like: string): Promise<void> {
    let p = this.creating.get(topic);
    if (!p) {
      const source = this.view.topic(like);
      p = this.samsa
        .admin()
        .createTopic({ name: topic, partitions: source?.partitions ?? 1, replicationFactor: source?.replicationFactor ?? 1 })
        .then(
          () => this.logger.info({ topic }, 'created a dead-letter topic'),
          (err: unknown) => {
            if (!hasReason(err, 'TOPIC_ALREADY_EXISTS')) throw err;
          },
        )
        .finally(() => this.creating.delete(topic));
      this.creating.set(topic, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

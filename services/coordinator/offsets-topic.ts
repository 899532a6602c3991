/**
 * The __consumer_offsets topic through the SDK: created by the first coordinator that needs it
 * (through the controller's CreateInternalTopic, which fixes compact cleanup, no retention and
 * min.insync.replicas 2 when it has 3+ replicas; replication factor as configured but at most the
 * live brokers), written with acks=all (this process's calls carry the coordinator identity that
 * the broker requires for internal topics: libs/rpc/principal.ts),
 * read from the partition leaders up to the high watermark.
 *
 * The topic is compacted by the brokers' log cleaner (docs/adr/0029), so a takeover replays about
 * one record per live committed offset plus the uncleaned tail, not every commit ever made.
 * Compaction leaves offset gaps; the replay follows the consumer's next offsets across them.
 *
 * Writes: one SDK producer per partition with the owner's fixed identity (offsetsWriter: a
 * reserved producer id and the owner's epoch), replaced when the coordinator writes with a new
 * epoch, so the brokers refuse a deposed owner's late write (docs/adr/0029).
 */
import { SamsaError, hasReason } from '../../libs/errors/index.js';
import { FENCE_HEADER, OFFSETS_TOPIC, type OffsetsLog, type OffsetsRecord, type OffsetsWriter } from '../../libs/group/index.js';
import type { Samsa, Producer } from '../../libs/client/index.js';
import type { Logger } from '../../libs/telemetry/index.js';

export class OffsetsTopic implements OffsetsLog {
  /** Per partition: the producer of the writer it last wrote with. */
  private readonly producers = new Map<number, { writer: OffsetsWriter; producer: Producer }>();
  /** Producers replaced by a newer writer, closing (their sends settle first). */
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly samsa: Samsa) {}

  private producerFor(partition: number, writer: OffsetsWriter): Producer {
    const current = this.producers.get(partition);
    if (current && current.writer.producerId === writer.producerId && current.writer.producerEpoch === writer.producerEpoch)
      return current.producer;
    if (current) {
      const closing = current.producer.close().finally(() => this.retiring.delete(closing));
      this.retiring.add(closing);
    }
    const producer = this.samsa.producer({ acks: 'all', identity: writer });
    this.producers.set(partition, { writer, producer });
    return producer;
  }

  /** Creates the topic when missing; resolves with its partition count. */
  async ensure(partitions: number, replicationFactor: number, liveBrokers: number, logger: Logger): Promise<number> {
    const admin = this.samsa.admin();
    const existing = await admin.describeTopics([OFFSETS_TOPIC]).catch((err: unknown) => {
      if (hasReason(err, 'UNKNOWN_TOPIC_OR_PARTITION')) return [];
      throw err;
    });
    if (existing[0]) return existing[0].partitions.length;
    const rf = Math.max(1, Math.min(replicationFactor, liveBrokers));
    try {
      // The controller fixes its config (services/controller/internal-topics.ts); CreateTopic
      // refuses "__" names.
      const created = await admin.createInternalTopic(OFFSETS_TOPIC, partitions, rf);
      logger.info({ partitions, replicationFactor: rf }, `created ${OFFSETS_TOPIC}`);
      return created.partitions.length;
    } catch (err) {
      if (!hasReason(err, 'TOPIC_ALREADY_EXISTS')) throw err;
      const [topic] = await admin.describeTopics([OFFSETS_TOPIC]);
      if (!topic) throw new SamsaError('INTERNAL_ERROR', `${OFFSETS_TOPIC} exists but cannot be described`);
      return topic.partitions.length;
    }
  }

  async append(partition: number, records: readonly OffsetsRecord[], writer: OffsetsWriter): Promise<number> {
    const written = await this.producerFor(partition, writer).send({
      topic: OFFSETS_TOPIC,
      acks: 'all',
      messages: records.map((r) => ({
        key: r.key,
        value: r.value,
        partition,
        ...(r.fence !== undefined ? { headers: { [FENCE_HEADER]: String(r.fence) } } : {}),
      })),
    });
    const last = written.at(-1);
    if (!last || last.baseOffset < 0) throw new SamsaError('INTERNAL_ERROR', `append to ${OFFSETS_TOPIC}/${partition} returned no offset`);
    return last.baseOffset + last.recordCount - 1;
  }

  async replay(
    partition: number,
    from: number,
    apply: (key: Buffer | null, value: Buffer | null, headers: readonly { key: string; value: Buffer }[]) => void,
    signal: AbortSignal,
  ): Promise<number> {
    // Loading offsets is the coordinator's own work, not a delivery to anyone: no `receive` spans.
    const stream = this.samsa
      .consumer({ traceReceive: false })
      .partition({ topic: OFFSETS_TOPIC, partition, from: from === 0 ? 'earliest' : { offset: from }, follow: false });
    const onAbort = (): void => stream.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let next = from;
    try {
      for await (const chunk of stream.chunks()) {
        for (const m of chunk) apply(m.key, m.value, m.headers);
        const last = chunk.at(-1);
        if (last) next = last.offset + 1;
      }
      return Math.max(next, stream.stopOffset ?? next);
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.producers.values()].map((p) => p.producer.close()));
    this.producers.clear();
    await Promise.all([...this.retiring]);
  }
}

/**
 * The fault tests' load: uniquely named records ("<producerId>-<seq>") produced with acks=all over
 * raw gRPC, each record sent AT MOST ONCE. A request that fails is never resent: its records are
 * "unacknowledged" (they may or may not be in the log, the checker counts them either way) and the
 * lane goes on with fresh records after refreshing where the leader is. So an acknowledged record
 * has exactly one place, the partition and offset the leader answered, and the checker can hold
 * the cluster to it.
 *
 * Lanes: `lanesPerPartition` loops per partition, each with one request in flight, so a partition
 * sees pipelined requests the way a real producer sends them. Every attempt is kept (when it was
 * sent, when it ended, how) so the time to recover after a fault can be read off afterwards.
 *
 * Lifetime: start() begins, stop() ends the lanes and waits until every request has settled (each
 * has a deadline), so nothing is in flight from this producer after stop() resolves.
 */
import { buildBatch } from '../../../libs/record/index.js';
import { SamsaError, toSamsaError } from '../../../libs/errors/index.js';
import type { Probe } from './probe.js';

export interface LoadProducerOptions {
  topic: string;
  partitions: number;
  /** Every broker's address; metadata is asked of them in turn. */
  brokers: readonly string[];
  producerId: string;
  /** Default 2. */
  lanesPerPartition?: number;
  /** Records per produce request. Default 5. */
  recordsPerRequest?: number;
  /** The leader's acks=all wait (ProduceRequest.timeout_ms); the call's deadline is 1 s more. Default 3000. */
  ackTimeoutMs?: number;
  /** Pause after every request, to leave the brokers CPU on a small machine. Default 5 ms. */
  pauseMs?: number;
  /** Lanes stop on their own once this many records were sent. Default 200000. */
  maxRecords?: number;
}

/** Where the leader said an acknowledged record went. */
export interface AckedPlace {
  partition: number;
  offset: number;
}

export interface Attempt {
  partition: number;
  /** Broker id the request went to; -1 when no leader was known. */
  brokerId: number;
  values: string[];
  sentAtMs: number;
  doneAtMs: number;
  /** 'pending' until it settles, then 'acked' or the error reason. */
  outcome: string;
}

interface Leader {
  id: number;
  address: string;
}

export class LoadProducer {
  readonly topic: string;
  readonly partitions: number;
  /** Every value ever put on the wire. */
  readonly sent = new Set<string>();
  readonly acked = new Map<string, AckedPlace>();
  readonly attempts: Attempt[] = [];
  /** Acknowledged records per partition. */
  private readonly ackedIn: number[] = [];
  private readonly options: Required<LoadProducerOptions>;
  private readonly leaders = new Map<number, Leader>();
  private seq = 0;
  /** Index in options.brokers of the broker that last answered a metadata request. */
  private lastAnswered = 0;
  private stopping = false;
  private lanes: Promise<void> | undefined;
  private readonly ackWaiters = new Set<() => void>();

  constructor(
    private readonly probe: Probe,
    options: LoadProducerOptions,
  ) {
    this.options = { lanesPerPartition: 2, recordsPerRequest: 5, ackTimeoutMs: 3_000, pauseMs: 5, maxRecords: 200_000, ...options };
    this.topic = options.topic;
    this.partitions = options.partitions;
  }

  start(): void {
    if (this.lanes) throw new Error('the load producer is already running');
    this.stopping = false;
    const lanes: Promise<void>[] = [];
    for (let p = 0; p < this.partitions; p++) {
      for (let l = 0; l < this.options.lanesPerPartition; l++) lanes.push(this.lane(p));
    }
    this.lanes = Promise.all(lanes).then(() => undefined);
  }

  /** Ends the lanes and resolves once every request they sent has settled. */
  async stop(): Promise<void> {
    this.stopping = true;
    const lanes = this.lanes;
    this.lanes = undefined;
    await lanes;
  }

  /**
   * Resolves once `count` more records than now are acknowledged (in `partition`, or in all);
   * throws after `timeoutMs`.
   */
  async waitForMoreAcks(count: number, timeoutMs: number, what = `${count} more acknowledged records`, partition?: number): Promise<void> {
    const acked = (): number => (partition === undefined ? this.acked.size : (this.ackedIn[partition] ?? 0));
    const target = acked() + count;
    const deadline = Date.now() + timeoutMs;
    while (acked() < target) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what} (acked ${acked()}, wanted ${target}; last outcomes: ${this.lastOutcomes()})`,
        );
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.ackWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 250));
        this.ackWaiters.add(done);
      });
    }
  }

  /**
   * After stop(): one acknowledged record in every partition, each attempt with fresh records and
   * never a resend, so that every partition's high watermark has moved in its current leader epoch
   * and the cluster is known to take writes again. Throws when a partition refuses for `timeoutMs`.
   */
  async settle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      Array.from({ length: this.partitions }, async (_, p) => {
        for (;;) {
          if ((await this.sendOnce(p, 1)) === 'acked') return;
          if (Date.now() > deadline)
            throw new Error(
              `partition ${p} took no acks=all write for ${timeoutMs} ms after the scenario (last outcomes: ${this.lastOutcomes()})`,
            );
          await sleep(200);
        }
      }),
    );
  }

  /**
   * Ms from `sinceMs` until every partition in `partitions` (all by default) has acknowledged a
   * request that was SENT at or after `sinceMs`; undefined when one never did.
   */
  recoveryMs(sinceMs: number, partitions: readonly number[] = Array.from({ length: this.partitions }, (_, i) => i)): number | undefined {
    let worst = 0;
    for (const p of partitions) {
      let first: number | undefined;
      for (const a of this.attempts) {
        if (a.partition === p && a.outcome === 'acked' && a.sentAtMs >= sinceMs && (first === undefined || a.doneAtMs < first))
          first = a.doneAtMs;
      }
      if (first === undefined) return undefined;
      worst = Math.max(worst, first - sinceMs);
    }
    return worst;
  }

  /** Failed attempts by reason. */
  failuresByReason(): Map<string, number> {
    const out = new Map<string, number>();
    for (const a of this.attempts) if (a.outcome !== 'acked' && a.outcome !== 'pending') out.set(a.outcome, (out.get(a.outcome) ?? 0) + 1);
    return out;
  }

  /** One request of `count` fresh records to `partition`'s leader: 'acked' or the error reason. Never retried. */
  async sendOnce(partition: number, count = this.options.recordsPerRequest): Promise<string> {
    const leader = this.leaders.get(partition) ?? (await this.refreshLeader(partition));
    return (await this.send(partition, leader, count, this.options.ackTimeoutMs + 1_000)).outcome;
  }

  /**
   * One request of `count` fresh records to broker `brokerId` at `address`, whatever it leads (a
   * zombie leader, say), with a deadline of `deadlineMs`; the attempt it makes is returned once it
   * has settled, and counts like any other (its records too).
   */
  async sendTo(brokerId: number, address: string, partition: number, count: number, deadlineMs: number): Promise<Attempt> {
    return this.send(partition, { id: brokerId, address }, count, deadlineMs, false);
  }

  private async send(
    partition: number,
    leader: Leader | undefined,
    count: number,
    deadlineMs: number,
    forgetLeader = true,
  ): Promise<Attempt> {
    const values: string[] = [];
    for (let i = 0; i < count; i++) values.push(`${this.options.producerId}-${this.seq++}`);
    const attempt: Attempt = { partition, brokerId: leader?.id ?? -1, values, sentAtMs: Date.now(), doneAtMs: 0, outcome: 'pending' };
    this.attempts.push(attempt);
    if (!leader) {
      // Nothing went on the wire: these values were never sent.
      attempt.outcome = 'LEADER_NOT_AVAILABLE';
      attempt.doneAtMs = Date.now();
      return attempt;
    }
    for (const v of values) this.sent.add(v);
    const batch = buildBatch(values.map((v) => ({ value: Buffer.from(v) })));
    try {
      const res = await this.probe.produce(
        leader.address,
        { topic: this.topic, acks: 'ACKS_ALL', timeoutMs: this.options.ackTimeoutMs, batches: [{ partition, batch }] },
        deadlineMs,
      );
      const result = res.results.find((r) => r.partition === partition);
      if (!result || result.recordCount !== values.length || result.baseOffset < 0) {
        throw new SamsaError(
          'INTERNAL_ERROR',
          `produce answered ${JSON.stringify(res.results)} for ${values.length} records of partition ${partition}`,
        );
      }
      values.forEach((v, i) => this.acked.set(v, { partition, offset: result.baseOffset + i }));
      this.ackedIn[partition] = (this.ackedIn[partition] ?? 0) + values.length;
      attempt.outcome = 'acked';
      for (const wake of [...this.ackWaiters]) wake();
    } catch (err) {
      attempt.outcome = toSamsaError(err).reason;
      if (forgetLeader) this.leaders.delete(partition);
    } finally {
      attempt.doneAtMs = Date.now();
    }
    return attempt;
  }

  private async lane(partition: number): Promise<void> {
    while (!this.stopping && this.seq < this.options.maxRecords) {
      const outcome = await this.sendOnce(partition);
      await sleep(outcome === 'acked' ? this.options.pauseMs : 100);
    }
  }

  /** The partition's leader as the first broker that answers sees it; undefined when it has none. */
  private async refreshLeader(partition: number): Promise<Leader | undefined> {
    // The broker that answered last time first: a paused one costs a whole deadline to skip.
    const brokers = this.options.brokers;
    const order = brokers.map((_, i) => brokers[(this.lastAnswered + i) % brokers.length] as string);
    for (const [i, address] of order.entries()) {
      try {
        const md = await this.probe.metadata(address, [this.topic]);
        this.lastAnswered = (this.lastAnswered + i) % brokers.length;
        const p = md.topics.find((t) => t.name === this.topic)?.partitions.find((x) => x.partition === partition);
        const broker = md.brokers.find((b) => b.id === p?.leaderId);
        if (!p || !broker) return undefined;
        const leader = { id: broker.id, address: `${broker.host}:${broker.port}` };
        this.leaders.set(partition, leader);
        return leader;
      } catch {
        // this broker is down or paused: ask the next
      }
    }
    return undefined;
  }

  private lastOutcomes(): string {
    return this.attempts
      .slice(-6)
      .map((a) => `p${a.partition}@${a.brokerId}:${a.outcome}`)
      .join(', ');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

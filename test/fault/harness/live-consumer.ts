/**
 * A consumer that reads committed records while a scenario runs: one loop per partition, Fetch
 * from whoever the brokers' metadata names as leader, from the next offset on, records below the
 * high watermark the answer carries only. What it read (partition, offset, value) is kept, so the
 * checker can hold the end state to it: a record a consumer has read was committed, and must be
 * found at that same offset at the end (verifyObserved in checker.ts). A moved record is what a
 * leader that served reads in a dead epoch, or a replica that lost an acknowledged tail and led
 * on, shows to the outside.
 *
 * It never goes back: an error (no leader, refused, OFFSET_OUT_OF_RANGE because the new leader's
 * log is shorter than what it already read) keeps its position and tries again 100 ms later, so
 * that a shorter log is waited out, never silently re-read. Errors are counted by reason.
 */
import { decodeRecordsFrom } from '../../../libs/record/index.js';
import { toSamsaError } from '../../../libs/errors/index.js';
import type { ReadRecord } from './checker.js';
import type { Probe } from './probe.js';

export interface LiveConsumerOptions {
  topic: string;
  partitions: number;
  /** Every broker's address; metadata is asked of them in turn. */
  brokers: readonly string[];
  /** Fetch long-poll wait. Default 300 ms. */
  maxWaitMs?: number;
}

export class LiveConsumer {
  /** Everything read, per partition, in offset order. */
  readonly observed: ReadRecord[][];
  readonly errors = new Map<string, number>();
  private readonly leaders = new Map<number, string>();
  private stopping = false;
  private loops: Promise<void> | undefined;

  constructor(
    private readonly probe: Probe,
    private readonly options: LiveConsumerOptions,
  ) {
    this.observed = Array.from({ length: options.partitions }, () => []);
  }

  get read(): number {
    return this.observed.reduce((n, p) => n + p.length, 0);
  }

  start(): void {
    if (this.loops) throw new Error('the live consumer is already running');
    this.stopping = false;
    this.loops = Promise.all(Array.from({ length: this.options.partitions }, (_, p) => this.loop(p))).then(() => undefined);
  }

  /** Ends the loops and resolves once their last Fetch has settled. */
  async stop(): Promise<void> {
    this.stopping = true;
    const loops = this.loops;
    this.loops = undefined;
    await loops;
  }

  private async loop(partition: number): Promise<void> {
    const seen = this.observed[partition] as ReadRecord[];
    while (!this.stopping) {
      const offset = seen.length === 0 ? 0 : (seen[seen.length - 1] as ReadRecord).offset + 1;
      const address = this.leaders.get(partition) ?? (await this.refreshLeader(partition));
      if (!address) {
        this.count('LEADER_NOT_AVAILABLE');
        await sleep(100);
        continue;
      }
      try {
        const res = await this.probe.fetch(address, {
          topic: this.options.topic,
          partition,
          offset,
          maxBytes: 256 * 1024,
          minBytes: 1,
          maxWaitMs: this.options.maxWaitMs ?? 300,
          format: 'RECORD_FORMAT_BATCHES',
        });
        let added = 0;
        for (const r of decodeRecordsFrom(res.batches, offset)) {
          if (r.offset >= res.highWatermark) break;
          seen.push({ partition, offset: r.offset, value: r.value?.toString() ?? '<null>' });
          added++;
        }
        // An empty answer has normally waited maxWaitMs at the leader already; never spin.
        if (added === 0) await sleep(20);
      } catch (err) {
        this.count(toSamsaError(err).reason);
        this.leaders.delete(partition);
        await sleep(100);
      }
    }
  }

  private count(reason: string): void {
    this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1);
  }

  private async refreshLeader(partition: number): Promise<string | undefined> {
    for (const address of this.options.brokers) {
      try {
        const md = await this.probe.metadata(address, [this.options.topic]);
        const p = md.topics.find((t) => t.name === this.options.topic)?.partitions.find((x) => x.partition === partition);
        const broker = md.brokers.find((b) => b.id === p?.leaderId);
        if (!p || !broker) return undefined;
        const leader = `${broker.host}:${broker.port}`;
        this.leaders.set(partition, leader);
        return leader;
      } catch {
        // down or paused: ask the next
      }
    }
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

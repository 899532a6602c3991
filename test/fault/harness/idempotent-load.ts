/**
 * An idempotent SDK producer's topic beside a scenario's raw load, as the scenarios that check
 * exactly-once across leader or replica moves set it up (idempotent-leader-moves.test.ts,
 * reassignment.test.ts): an SDK client that retries through the faults, the topic
 * `<scenario topic>-idem` (RF 3, min.insync.replicas 2), and a load that keeps sends going to each
 * partition and remembers where every acknowledged record went (for checker.ts verifyLog).
 */
import { onTestFinished } from 'vitest';
import { Samsa, type Admin, type Producer } from '../../../libs/client/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { sameSet } from './fault-cluster.js';
import type { AckedPlace } from './load-producer.js';
import type { Scenario } from './scenario.js';

/** The SDK client (closed when the test finishes) and `<s.topic>-idem`, created and fully in sync. */
export async function idempotentTopic(s: Scenario, partitions: number): Promise<{ samsa: Samsa; admin: Admin; topic: string }> {
  const samsa = new Samsa({
    bootstrap: s.cluster.brokerAddresses(),
    retry: { retries: 60, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 90_000 },
  });
  onTestFinished(() => samsa.close());
  const admin = samsa.admin();
  const topic = `${s.topic}-idem`;
  await admin.createTopic({ name: topic, partitions, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  await s.cluster.waitForPartitions(topic, (p) => p.leaderId >= 0 && sameSet(p.isr, p.replicas), 60_000, `${topic} in sync`);
  return { samsa, admin, topic };
}

export interface IdempotentLoadOptions {
  producer: Producer;
  topic: string;
  /** Partitions 0..partitions-1 each get their own writers. */
  partitions: number;
  /** Sends each partition keeps going at once (the producer pipelines them). */
  sendsInFlight: number;
  recordsPerSend: number;
  /** Pause after each acknowledged send; default none. */
  pauseMs?: number;
  /** Pause after a failed send; default 100 ms. */
  failurePauseMs?: number;
}

/** Values `idem-<partition>-<n>`, n in send order per partition. */
export function idempotentValue(partition: number, n: number): string {
  return `idem-${partition}-${n}`;
}

/** The n of an idempotentValue. */
export function sendOrderOf(value: string): number {
  return Number(value.slice(value.lastIndexOf('-') + 1));
}

/**
 * Keeps `sendsInFlight` sends of fresh records going to every partition through one idempotent
 * producer. A send that fails is not sent again (its records are unacknowledged: they may or may
 * not be in the log); the producer then starts a new session by itself.
 */
export class IdempotentLoad {
  readonly sent = new Set<string>();
  readonly acked = new Map<string, AckedPlace>();
  /** Failed sends by reason. */
  readonly failures = new Map<string, number>();
  /** The next n per partition. */
  private readonly next = new Map<number, number>();
  private stopping = false;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly o: IdempotentLoadOptions) {}

  start(): void {
    for (let p = 0; p < this.o.partitions; p++) for (let i = 0; i < this.o.sendsInFlight; i++) this.loops.push(this.loop(p));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** Resolves once `count` more records are acknowledged; throws after `timeoutMs`. */
  async waitForMoreAcks(count: number, timeoutMs: number, what: string): Promise<void> {
    const target = this.acked.size + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acked.size < target) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (acked ${this.acked.size}, wanted ${target})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async loop(partition: number): Promise<void> {
    while (!this.stopping) {
      const values: string[] = [];
      for (let i = 0; i < this.o.recordsPerSend; i++) {
        const n = this.next.get(partition) ?? 0;
        this.next.set(partition, n + 1);
        values.push(idempotentValue(partition, n));
      }
      for (const v of values) this.sent.add(v);
      let pauseMs = this.o.pauseMs ?? 0;
      try {
        const [meta] = await this.o.producer.send({ topic: this.o.topic, messages: values.map((value) => ({ value, partition })) });
        if (!meta || meta.partition !== partition || meta.baseOffset < 0) throw new Error(`send answered ${JSON.stringify(meta)}`);
        values.forEach((v, i) => this.acked.set(v, { partition, offset: meta.baseOffset + i }));
      } catch (err) {
        const reason = err instanceof SamsaError ? err.reason : String(err);
        this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
        pauseMs = this.o.failurePauseMs ?? 100;
      }
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

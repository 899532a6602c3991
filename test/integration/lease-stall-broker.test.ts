/**
 * A real broker whose main thread is blocked past the lease stall limit (ADR 0057): its keep-alive
 * thread, still running, revokes its registration, the controller moves its leadership while it is
 * still blocked, it registers again once it runs and rejoins the ISR, and nothing acknowledged
 * (acks=all, min.insync.replicas=2) is lost. test/integration/lease-keeper.test.ts checks the same
 * keeper on this test's own thread; here it is the whole broker.
 *
 * How the main thread is blocked: the brokers are started with `node --import` of a test fixture
 * (fixtures/stall-on-signal.mjs) that, on SIGUSR2, blocks the main thread in Atomics.wait until the
 * test creates a file, while the worker threads go on. It is a test file, not part of any service
 * or of dist/, so no broker setting can turn it on. SIGSTOP cannot be used: it stops the keep-alive
 * thread too (that case, the lease expiring one TTL later, is in lease-keeper.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { MetadataKeys, type PartitionState } from '../../libs/cluster/index.js';
import { Samsa } from '../../libs/client/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';
import { scrape, value } from '../harness/prometheus.js';

const STALL_LIMIT_S = 4;
const dir = tempDir('lease-stall');
/** The blocked broker runs again once this file exists (fixtures/stall-on-signal.mjs). */
const RELEASE = join(dir, 'release-the-stall');
const cluster = await startCluster({
  name: 'lease-stall',
  dir,
  brokers: 3,
  controllers: 1,
  env: { SAMSA_LEASE_STALL_LIMIT_SECONDS: String(STALL_LIMIT_S), STALL_RELEASE_FILE: RELEASE, SAMSA_LOG_LEVEL: 'info' },
  brokerNodeArgs: ['--import', fileURLToPath(new URL('./fixtures/stall-on-signal.mjs', import.meta.url))],
});
const keys = new MetadataKeys(cluster.clusterId);
const etcd = new Etcd3({ hosts: `http://${cluster.etcd.endpoint}` });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  // A blocked broker answers nothing: give up on it after 3 s (default 15 s) and go to the new leader.
  requestTimeoutMs: 3_000,
  retry: { retries: 60, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 },
});
afterAll(async () => {
  // A failed test must not leave a broker blocked for the cluster's stop.
  writeFileSync(RELEASE, '');
  await samsa.close();
  etcd.close();
});

async function state(topic: string): Promise<PartitionState> {
  const raw = await etcd.get(keys.partition(topic, 0)).string();
  if (!raw) throw new Error(`no state for ${topic}-0`);
  return JSON.parse(raw) as PartitionState;
}

/** The broker's registration: its lease, or undefined while it is not registered. */
async function registrationLease(id: number): Promise<string | undefined> {
  const kv = (await etcd.get(keys.broker(id)).exec()).kvs[0];
  return kv ? String(kv.lease) : undefined;
}

describe('a broker whose main thread is blocked past the lease stall limit', () => {
  it('is put out of the cluster by its keep-alive thread, loses its leadership while still blocked, comes back, and nothing acknowledged is lost', async () => {
    const topic = uniqueName('stall');
    await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
    await waitUntil(async () => (await state(topic)).isr.length === 3, 30_000, 'the ISR to be full');
    const leaderId = (await state(topic)).leader;
    const leader = cluster.brokers.find((b) => b.spec.id === leaderId);
    if (!leader?.pid) throw new Error(`no running broker ${leaderId}`);
    const leaseBefore = await registrationLease(leaderId);
    expect(leaseBefore).toBeDefined();

    // acks=all writes one at a time, through the stall and after it (bounded by count and by `stop`).
    // A produce in flight to the blocked leader waits out its ack timeout + the request timeout
    // (default 30 s + 15 s) before it is tried at the new leader: 5 s + 3 s here.
    const producer = samsa.producer({ acks: 'all', ackTimeoutMs: 5_000 });
    const acked = new Map<string, number>();
    /** When each write was acknowledged (for the report only). */
    const ackedAt: number[] = [];
    const failures: string[] = [];
    let stop = false;
    const load = (async () => {
      for (let n = 0; n < 5_000 && !stop; n++) {
        const v = `v-${n}`;
        try {
          const [meta] = await producer.send({ topic, messages: [{ value: v, partition: 0 }] });
          if (meta) acked.set(v, meta.baseOffset);
          ackedAt.push(Date.now());
        } catch (err) {
          failures.push(err instanceof Error ? err.message : String(err));
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitUntil(() => acked.size >= 20, 30_000, 'writes to be acknowledged before the stall');

    process.kill(leader.pid, 'SIGUSR2');
    const stalledAt = Date.now();
    // All of this while the broker is blocked (it runs again only once RELEASE exists).
    await waitUntil(async () => (await registrationLease(leaderId)) !== leaseBefore, 30_000, 'the blocked broker to lose its registration');
    const unregisteredMs = Date.now() - stalledAt;
    expect(Number((await etcd.leaseClient.leaseTimeToLive({ ID: leaseBefore ?? '0' })).TTL), 'etcd no longer knows the lease').toBe(-1);
    await waitUntil(async () => (await state(topic)).leader !== leaderId, 30_000, 'the leadership to move off the blocked broker');
    const movedMs = Date.now() - stalledAt;
    const isrAtMove = (await state(topic)).isr;
    const before = acked.size;
    await waitUntil(() => acked.size >= before + 20, 30_000, 'the new leader to acknowledge writes while the old one is blocked');
    const blockedMs = Date.now() - stalledAt;
    const ackedWhileBlocked = acked.size;
    writeFileSync(RELEASE, '');

    // It runs again: registers anew, follows, and rejoins the ISR.
    await waitUntil(
      async () => {
        const lease = await registrationLease(leaderId);
        return lease !== undefined && lease !== leaseBefore;
      },
      30_000,
      'the broker to register again',
    );
    await waitUntil(async () => (await state(topic)).isr.includes(leaderId), 60_000, 'the broker to rejoin the ISR');
    await waitUntil(() => acked.size >= ackedWhileBlocked + 20, 30_000, 'writes to be acknowledged after the stall');
    stop = true;
    await load;

    // Revoked by its keep-alive thread for the stall (not expired), and only on that broker.
    const revocations = await Promise.all(
      cluster.brokers.map(async (b) => value(await scrape(b.metricsUrl as string), 'samsa_lease_stall_revocations_total')),
    );
    cluster.brokers.forEach((b, i) => {
      if (b.spec.id === leaderId) expect(revocations[i], b.name).toBeGreaterThanOrEqual(1);
      else expect(revocations[i], b.name).toBe(0);
    });

    const firstAckAfterMoveMs = (ackedAt.find((t) => t - stalledAt > movedMs) ?? NaN) - stalledAt;
    const read = new Map<string, number>();
    for await (const m of samsa.consumer().partition({ topic, partition: 0, from: 'earliest', follow: false }))
      read.set(Buffer.from(m.value ?? Buffer.alloc(0)).toString(), m.offset);
    const lost = [...acked].filter(([v, offset]) => read.get(v) !== offset);
    expect(lost, `acknowledged records lost or moved: ${lost.slice(0, 5).join(' ')}`).toEqual([]);
    process.stdout.write(
      `[lease-stall] broker ${leaderId} blocked ${blockedMs} ms (stall limit ${STALL_LIMIT_S} s, TTL 3 s): registration gone after ` +
        `${unregisteredMs} ms, leadership moved after ${movedMs} ms (ISR then [${isrAtMove.join(',')}]), first write acknowledged after that at ` +
        `${firstAckAfterMoveMs} ms; ${acked.size} writes acknowledged (${ackedWhileBlocked} by the ` +
        `stall's end), all read back at their offsets; ${failures.length} sends failed\n`,
    );
  });
});

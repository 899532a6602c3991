/**
 * The idempotent producer against real processes: a batch sent twice with the same producer id and
 * sequence is written once and both answers carry the same offset; a gap or a stale epoch is
 * refused; and the SDK's default (idempotent) producer keeps every record exactly once through a
 * kill -9 of the partition leader while it retries.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it, afterAll } from 'vitest';
import { Etcd3 } from 'etcd3';
import { MetadataKeys, type PartitionState } from '../../libs/cluster/index.js';
import { buildBatch } from '../../libs/record/index.js';
import { brokerClient, REASON_TRAILER, type v1 } from '../../libs/rpc/index.js';
import { Samsa } from '../../libs/client/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({ name: 'idempotence', brokers: 3, controllers: 1, env: { SAMSA_REPLICA_LAG_TIME_MAX_MS: '3000' } });
const keys = new MetadataKeys(cluster.clusterId);
const etcd = new Etcd3({ hosts: `http://${cluster.etcd.endpoint}` });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 40, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 },
});
const stubs: v1.BrokerServiceClient[] = [];
afterAll(async () => {
  for (const s of stubs) s.close();
  await samsa.close();
  etcd.close();
});

async function state(topic: string, partition: number): Promise<PartitionState> {
  return JSON.parse((await etcd.get(keys.partition(topic, partition)).string()) as string) as PartitionState;
}

function stub(brokerId: number): v1.BrokerServiceClient {
  const s = brokerClient(cluster.broker(brokerId).address);
  stubs.push(s);
  return s;
}

function call<Res>(fn: (cb: grpc.requestCallback<Res>) => void): Promise<Res> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as Res))));
}

/** RF=3 needs all three brokers registered (a paused one re-registers after it resumes). */
async function createTopic(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await waitUntil(async () => (await samsa.admin().describeCluster()).brokers.length === 3, 30_000, 'three live brokers');
  await samsa.admin().createTopic({ name, partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  return name;
}

async function readValues(topic: string, partition: number): Promise<string[]> {
  const out: string[] = [];
  for await (const m of samsa.consumer().partition({ topic, partition, from: 'earliest', follow: false }))
    out.push(Buffer.from(m.value ?? Buffer.alloc(0)).toString());
  return out;
}

describe('idempotent produce', () => {
  it('writes a retried batch once and answers it with the original offset; refuses gaps and stale epochs', async () => {
    const topic = await createTopic('idem');
    const leader = stub((await state(topic, 0)).leader);
    const { producerId, producerEpoch } = await call<v1.InitProducerIdResponse__Output>((cb) => leader.initProducerId({}, cb));
    expect(producerId).toBeGreaterThanOrEqual(0);
    const second = await call<v1.InitProducerIdResponse__Output>((cb) => stub(1).initProducerId({}, cb));
    expect(second.producerId).not.toBe(producerId);

    const send = (baseSequence: number, values: string[], epoch = producerEpoch): Promise<v1.ProduceResponse__Output> =>
      call((cb) =>
        leader.produce(
          {
            topic,
            acks: 'ACKS_ALL',
            batches: [
              {
                partition: 0,
                batch: buildBatch(
                  values.map((v) => ({ value: Buffer.from(v) })),
                  { producerId, producerEpoch: epoch, baseSequence },
                ),
              },
            ],
          },
          cb,
        ),
      );
    const first = await send(0, ['a', 'b', 'c']);
    const retried = await send(0, ['a', 'b', 'c']);
    expect(retried.results[0]?.baseOffset).toBe(first.results[0]?.baseOffset);
    const next = await send(3, ['d']);
    expect(next.results[0]?.baseOffset).toBe(3);
    // An older batch still in the window is a duplicate too.
    expect((await send(0, ['a', 'b', 'c'])).results[0]?.baseOffset).toBe(0);

    const reasonOf = async (p: Promise<unknown>): Promise<{ code: number; reason: unknown }> => {
      try {
        await p;
        return { code: 0, reason: undefined };
      } catch (err) {
        const e = err as grpc.ServiceError;
        return { code: e.code, reason: e.metadata.get(REASON_TRAILER)[0] };
      }
    };
    expect(await reasonOf(send(9, ['gap']))).toEqual({ code: grpc.status.FAILED_PRECONDITION, reason: 'OUT_OF_ORDER_SEQUENCE' });
    await send(0, ['epoch1'], producerEpoch + 1);
    expect(await reasonOf(send(4, ['stale']))).toEqual({ code: grpc.status.FAILED_PRECONDITION, reason: 'INVALID_PRODUCER_EPOCH' });
    expect(await readValues(topic, 0)).toEqual(['a', 'b', 'c', 'd', 'epoch1']);
  });

  it('answers a retry after an acks=all timeout with the original write (a paused follower holds the HW back)', async () => {
    const topic = await createTopic('idem-timeout');
    const s = await state(topic, 0);
    const follower = s.replicas.find((id) => id !== s.leader) as number;
    // The leader waits 300 ms for the ISR, the SDK retries the same batch on REQUEST_TIMED_OUT; the
    // first copy commits once the paused follower leaves the ISR (lag time 3 s).
    const idem = samsa.producer({ acks: 'all', ackTimeoutMs: 300 });
    await idem.send({ topic, messages: [{ value: 'warm-up', partition: 0 }] });
    cluster.broker(follower).pause();
    try {
      const sent = await idem.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `t${i}`, partition: 0 })) });
      expect(sent[0]?.baseOffset).toBe(1);
    } finally {
      cluster.broker(follower).resume();
    }
    expect(await readValues(topic, 0)).toEqual(['warm-up', ...Array.from({ length: 10 }, (_, i) => `t${i}`)]);
  });

  // With 5 in flight per partition, requests overtake each other on the retries after the kill
  // (and now and then on the way to a live leader): the leader refuses them as out of order and
  // the SDK sends them again behind the ones ahead.
  it.each([1, 5])(
    'keeps every record exactly once and in order through kill -9 of the leader while the SDK producer retries (%i in flight per partition)',
    async (inFlight) => {
      const topic = await createTopic(`idem-kill-${inFlight}`);
      const before = await state(topic, 0);
      const producer = samsa.producer({ acks: 'all', ackTimeoutMs: 5000, maxInFlightPerPartition: inFlight });
      const total = 3000;
      const sends: Promise<unknown>[] = [];
      let killed = false;
      for (let i = 0; i < total; i += 20) {
        sends.push(producer.send({ topic, messages: Array.from({ length: 20 }, (_, j) => ({ value: `r${i + j}`, partition: 0 })) }));
        if (!killed && i >= total / 3) {
          // Killed with sends in flight: their answers are lost and they are retried elsewhere.
          killed = true;
          await cluster.broker(before.leader).kill9();
        }
        // Several in flight at a time, as a pipelining application would.
        if (sends.length >= 10) await Promise.all(sends.splice(0));
      }
      await Promise.all(sends);
      await waitUntil(async () => (await state(topic, 0)).leader !== before.leader, 30_000, 'a new leader');
      const values = await readValues(topic, 0);
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
      const missing = Array.from({ length: total }, (_, i) => `r${i}`).filter((v) => !counts.has(v));
      const outOfOrder = values.filter((v, i) => v !== `r${i}`).length;
      console.log(
        `idempotent produce through leader kill, ${inFlight} in flight: ${total} sent, ${values.length} read, ${duplicated.length} duplicated, ${missing.length} missing, ${outOfOrder} out of place`,
      );
      expect(duplicated).toEqual([]);
      expect(missing).toEqual([]);
      expect(values).toEqual(Array.from({ length: total }, (_, i) => `r${i}`));
      await cluster.broker(before.leader).restart();
    },
  );
});

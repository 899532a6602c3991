/**
 * The controller as real processes against a real etcd: topic admin and every bad input's reason
 * and gRPC code, leadership moving when (fake) brokers' leases end and come back, a standby that
 * forwards and takes over after kill -9, and fenced writes from a deposed election.
 *
 * Brokers here are fake: just registrations under a lease (Membership.join), which is all the
 * controller looks at.
 *
 * Why one file (over ~500 lines): every case shares the one etcd and controller started at the
 * top, and each test file starts its own, so a second file would add those starts to CI for no
 * gain in reading; the describe blocks are the chapters.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../../libs/errors/index.js';
import {
  commitIfLeader,
  connectEtcd,
  ControllerElection,
  GuardFailedError,
  Membership,
  MetadataKeys,
  type BrokerRegistration,
  type Fence,
} from '../../libs/cluster/index.js';
import { callUnary, controllerClient, REASON_TRAILER, type v1 } from '../../libs/rpc/index.js';
import { createLogger } from '../../libs/telemetry/index.js';
import { freePort, ServiceProcess, waitUntil } from '../../tools/launcher/index.js';
import { asService, serviceSecurityEnv, startEtcd, tempDir, uniqueName } from '../harness/cluster.js';

const TTL = 3;
const logger = createLogger('controller-test', 'test', 'silent');
const etcdProcess = await startEtcd('controller');
const clusterId = uniqueName('ctl');
const keys = new MetadataKeys(clusterId);
const dir = tempDir('controller');
const etcd = connectEtcd([etcdProcess.endpoint]);

const clients = new Map<string, v1.ControllerServiceClient>();
const controllers: ServiceProcess[] = [];
const brokers = new Map<number, Membership>();

afterAll(async () => {
  for (const c of clients.values()) c.close();
  for (const c of controllers) await c.stop().catch(() => undefined);
  for (const m of brokers.values()) await m.leave();
  etcd.close();
  if (!process.env.SAMSA_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
});

function admin(address: string): v1.ControllerServiceClient {
  let c = clients.get(address);
  if (!c) clients.set(address, (c = controllerClient(address)));
  return c;
}

const createTopic = (address: string, req: v1.CreateTopicRequest): Promise<v1.CreateTopicResponse__Output> =>
  callUnary(address, { timeoutMs: 30_000 }, (options, cb) => admin(address).createTopic(req, options, cb));
const deleteTopic = (address: string, name: string): Promise<v1.DeleteTopicResponse__Output> =>
  callUnary(address, { timeoutMs: 30_000 }, (options, cb) => admin(address).deleteTopic({ name }, options, cb));
const listTopics = (address: string, includeInternal = false): Promise<v1.ListTopicsResponse__Output> =>
  callUnary(address, { timeoutMs: 10_000 }, (options, cb) => admin(address).listTopics({ includeInternal }, options, cb));
const describeTopics = (address: string, names: string[]): Promise<v1.DescribeTopicsResponse__Output> =>
  callUnary(address, { timeoutMs: 10_000 }, (options, cb) => admin(address).describeTopics({ names }, options, cb));
const getMetadata = (address: string, topics: string[] = []): Promise<v1.GetMetadataResponse__Output> =>
  callUnary(address, { timeoutMs: 10_000 }, (options, cb) => admin(address).getMetadata({ topics }, options, cb));

async function describeOne(address: string, name: string): Promise<v1.TopicInfo__Output> {
  const res = await describeTopics(address, [name]);
  const t = res.topics[0];
  if (!t) throw new Error(`describe ${name} returned nothing`);
  return t;
}

/** Expects a SamsaError with this reason whose underlying gRPC status has this code and trailer. */
async function expectFailure(promise: Promise<unknown>, reason: string, code: grpc.status): Promise<SamsaError> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error, `expected ${reason}`).toBeInstanceOf(SamsaError);
  const e = error as SamsaError;
  const status = e.cause as grpc.ServiceError | undefined;
  expect({ reason: e.reason, code: status?.code, trailer: status?.metadata?.get(REASON_TRAILER)[0] }, e.message).toEqual({
    reason,
    code,
    trailer: reason,
  });
  return e;
}

async function startController(id: number): Promise<ServiceProcess> {
  const c = new ServiceProcess({
    kind: 'controller',
    id,
    host: '127.0.0.1',
    port: await freePort(),
    etcdEndpoint: etcdProcess.endpoint,
    clusterId,
    dataDir: join(dir, `controller-${id}`),
    logFile: join(dir, `controller-${id}.log`),
    // Followers do not replicate yet, so RF > 1 is off by default; placement and election need it.
    env: { SAMSA_LEASE_TTL_SECONDS: String(TTL), SAMSA_LOG_LEVEL: 'debug', ...(await serviceSecurityEnv('controller', id)) },
  });
  controllers.push(c);
  await c.start();
  return c;
}

/** Registers fake broker `id` as a real broker would: its BrokerRegistration under a lease. */
async function registerBroker(id: number): Promise<void> {
  if (brokers.has(id)) return;
  const registration: Omit<BrokerRegistration, 'brokerEpoch'> = {
    id,
    host: '127.0.0.1',
    port: 40000 + id,
    rack: '',
    startedAtMs: Date.now(),
    cleanStart: true,
  };
  brokers.set(id, await Membership.join(etcd, keys.broker(id), registration, 5, logger));
}

/** Revokes fake broker `id`'s lease: its registration disappears at once. */
async function revokeBroker(id: number): Promise<void> {
  const m = brokers.get(id);
  brokers.delete(id);
  await m?.leave();
}

/** Waits until the controller at `address` sees exactly these live brokers. */
async function waitForBrokers(address: string, ids: number[]): Promise<void> {
  const want = [...ids].sort((a, b) => a - b);
  await waitUntil(
    async () => {
      const md = await getMetadata(address).catch(() => undefined);
      return JSON.stringify(md?.brokers.map((b) => b.id).sort((a, b) => a - b)) === JSON.stringify(want);
    },
    15_000,
    `brokers ${want.join(',')} at ${address}`,
  );
}

/** Polls describeTopics until `check` holds for the topic (deadline, not a fixed sleep). */
async function waitForTopic(
  address: string,
  name: string,
  check: (t: v1.TopicInfo__Output) => boolean,
  what: string,
): Promise<v1.TopicInfo__Output> {
  let last: v1.TopicInfo__Output | undefined;
  await waitUntil(
    async () => {
      last = await describeOne(address, name).catch(() => undefined);
      return last !== undefined && check(last);
    },
    20_000,
    `${what} (last seen: ${JSON.stringify(last?.partitions)})`,
  );
  return last as v1.TopicInfo__Output;
}

/** Creates __consumer_offsets as a coordinator does (CreateInternalTopic with its identity). */
async function createOffsetsTopic(address: string): Promise<void> {
  const coordinator = await asService('coordinator', 1);
  const asCoordinator = controllerClient(address, undefined, coordinator.credentials);
  await callUnary(address, { timeoutMs: 10_000 }, (options, cb) =>
    asCoordinator.createInternalTopic(
      { name: '__consumer_offsets', partitions: 1, replicationFactor: 1 },
      coordinator.metadata,
      options,
      cb,
    ),
  ).finally(() => asCoordinator.close());
}

let controller1: ServiceProcess;

beforeAll(async () => {
  for (const id of [1, 2, 3]) await registerBroker(id);
  controller1 = await startController(1);
  // The controller is serving at once; it is active once it has written its controller epoch.
  await waitUntil(
    async () => (await getMetadata(controller1.address).catch(() => undefined))?.controller?.id === 1,
    20_000,
    'controller 1 active',
  );
  await waitForBrokers(controller1.address, [1, 2, 3]);
});

describe('topic admin', () => {
  it('creates, lists, describes and deletes a topic', async () => {
    const a = controller1.address;
    const name = uniqueName('orders');
    const created = await createTopic(a, { name, partitions: 4, replicationFactor: 2 });
    expect(created.topic?.name).toBe(name);
    expect(created.topic?.topicId).not.toBe('');
    expect(created.topic?.replicationFactor).toBe(2);
    expect(created.topic?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    for (const p of created.topic?.partitions ?? []) {
      expect(p.replicas).toHaveLength(2);
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.leaderId).toBe(p.replicas[0]);
      expect(p.isr).toEqual(p.replicas);
      expect(p.leaderEpoch).toBe(0);
    }
    // Defaults filled in when no config was given.
    expect(created.topic?.config).toMatchObject({
      cleanupPolicy: 'delete',
      minInsyncReplicas: 1,
      uncleanLeaderElection: false,
      retentionMs: 7 * 24 * 3600 * 1000,
    });

    expect((await listTopics(a)).names).toContain(name);
    const described = await describeOne(a, name);
    expect(described).toEqual(created.topic);
    const md = await getMetadata(a, [name]);
    expect(md.clusterId).toBe(clusterId);
    expect(md.topics[0]?.partitions).toEqual(created.topic?.partitions);

    await deleteTopic(a, name);
    expect((await listTopics(a)).names).not.toContain(name);
    await expectFailure(describeTopics(a, [name]), 'UNKNOWN_TOPIC_OR_PARTITION', grpc.status.NOT_FOUND);
    expect(await etcd.getAll().prefix(keys.partitionsOf(name)).keys()).toEqual([]);

    // The same name again is a new topic with a new id.
    const again = await createTopic(a, { name, partitions: 1, replicationFactor: 1 });
    expect(again.topic?.topicId).not.toBe(created.topic?.topicId);
    expect(again.topic?.partitions).toHaveLength(1);
    await deleteTopic(a, name);
  });

  it('keeps a requested config, and partitions/replication factor 0 mean 1', async () => {
    const a = controller1.address;
    const name = uniqueName('cfg');
    const res = await createTopic(a, {
      name,
      config: { retentionMs: 60_000, cleanupPolicy: 'compact', minInsyncReplicas: 1, maxMessageBytes: 2048 },
    });
    expect(res.topic?.partitions).toHaveLength(1);
    expect(res.topic?.replicationFactor).toBe(1);
    expect(res.topic?.config).toMatchObject({ retentionMs: 60_000, cleanupPolicy: 'compact', maxMessageBytes: 2048 });
    await deleteTopic(a, name);
  });

  it('validateOnly checks and answers but creates nothing', async () => {
    const a = controller1.address;
    const name = uniqueName('dry');
    const res = await createTopic(a, { name, partitions: 3, replicationFactor: 3, validateOnly: true });
    expect(res.topic?.partitions).toHaveLength(3);
    expect((await listTopics(a)).names).not.toContain(name);
    expect(await etcd.getAll().prefix(keys.partitionsOf(name)).keys()).toEqual([]);
    await expectFailure(
      createTopic(a, { name, partitions: 3, replicationFactor: 4, validateOnly: true }),
      'NOT_ENOUGH_BROKERS',
      grpc.status.FAILED_PRECONDITION,
    );
  });

  it('hides internal topics from the list unless asked, and refuses to delete, grow or reconfigure them', async () => {
    const a = controller1.address;
    // Clients cannot create "__" topics; Samsa's own come through CreateInternalTopic (no coordinator
    // runs in this file, so __consumer_offsets does not exist yet).
    await expectFailure(
      createTopic(a, { name: `__${uniqueName('internal')}`, partitions: 1, replicationFactor: 1 }),
      'POLICY_VIOLATION',
      grpc.status.FAILED_PRECONDITION,
    );
    const name = '__consumer_offsets';
    // Only a coordinator's identity may ask for it (a client, even a super-user, is refused).
    const asClient = callUnary(a, { timeoutMs: 10_000 }, (options, cb) =>
      admin(a).createInternalTopic({ name, partitions: 1, replicationFactor: 1 }, options, cb),
    );
    await expectFailure(asClient, 'AUTHORIZATION_FAILED', grpc.status.PERMISSION_DENIED);
    await createOffsetsTopic(a);
    expect((await listTopics(a)).names).not.toContain(name);
    expect((await listTopics(a, true)).names).toContain(name);
    // Deleting __consumer_offsets wiped every group's committed offsets; growing it remapped every group.
    const refused = await expectFailure(deleteTopic(a, name), 'POLICY_VIOLATION', grpc.status.FAILED_PRECONDITION);
    expect(refused.message).toMatch(/internal/);
    await expectFailure(
      callUnary(a, { timeoutMs: 10_000 }, (options, cb) => admin(a).createPartitions({ name, totalPartitions: 2 }, options, cb)),
      'POLICY_VIOLATION',
      grpc.status.FAILED_PRECONDITION,
    );
    await expectFailure(
      callUnary(a, { timeoutMs: 10_000 }, (options, cb) => admin(a).alterTopicConfig({ name, config: { retentionMs: 1000 } }, options, cb)),
      'POLICY_VIOLATION',
      grpc.status.FAILED_PRECONDITION,
    );
    expect((await describeOne(a, name)).partitions).toHaveLength(1);
  });

  it('answers every bad input with the right reason and gRPC code', async () => {
    const a = controller1.address;
    const existing = uniqueName('exists');
    await createTopic(a, { name: existing, partitions: 1, replicationFactor: 1 });

    for (const bad of ['', 'a/b', 'has space', '.', '..', 'x'.repeat(250), 'caf\u00e9']) {
      await expectFailure(
        createTopic(a, { name: bad, partitions: 1, replicationFactor: 1 }),
        'INVALID_TOPIC_NAME',
        grpc.status.INVALID_ARGUMENT,
      );
    }
    await expectFailure(
      createTopic(a, { name: existing, partitions: 1, replicationFactor: 1 }),
      'TOPIC_ALREADY_EXISTS',
      grpc.status.ALREADY_EXISTS,
    );
    await expectFailure(
      createTopic(a, { name: uniqueName('p'), partitions: -1, replicationFactor: 1 }),
      'INVALID_PARTITIONS',
      grpc.status.INVALID_ARGUMENT,
    );
    await expectFailure(
      createTopic(a, { name: uniqueName('p'), partitions: 10_001, replicationFactor: 1 }),
      'INVALID_PARTITIONS',
      grpc.status.INVALID_ARGUMENT,
    );
    const e = await expectFailure(
      createTopic(a, { name: uniqueName('rf'), partitions: 1, replicationFactor: 4 }),
      'NOT_ENOUGH_BROKERS',
      grpc.status.FAILED_PRECONDITION,
    );
    expect(e.message).toContain('4');
    expect(e.message).toContain('3');
    await expectFailure(
      createTopic(a, { name: uniqueName('rf'), partitions: 1, replicationFactor: -1 }),
      'INVALID_REPLICATION_FACTOR',
      grpc.status.INVALID_ARGUMENT,
    );
    const c = await expectFailure(
      createTopic(a, { name: uniqueName('cfg'), partitions: 1, replicationFactor: 2, config: { minInsyncReplicas: 3 } }),
      'INVALID_CONFIG',
      grpc.status.INVALID_ARGUMENT,
    );
    expect(c.message).toContain('min.insync.replicas');
    await expectFailure(
      createTopic(a, { name: uniqueName('cfg'), partitions: 1, replicationFactor: 1, config: { segmentBytes: 10 } }),
      'INVALID_CONFIG',
      grpc.status.INVALID_ARGUMENT,
    );
    await expectFailure(deleteTopic(a, uniqueName('never-created')), 'UNKNOWN_TOPIC_OR_PARTITION', grpc.status.NOT_FOUND);
    await expectFailure(describeTopics(a, [existing, uniqueName('never-created')]), 'UNKNOWN_TOPIC_OR_PARTITION', grpc.status.NOT_FOUND);
    await expectFailure(getMetadata(a, [uniqueName('never-created')]), 'UNKNOWN_TOPIC_OR_PARTITION', grpc.status.NOT_FOUND);

    // None of the refused creates left anything behind.
    const topicKeys = await etcd.getAll().prefix(keys.topicsPrefix).keys();
    expect(topicKeys.filter((k) => !k.includes('__'))).toEqual([keys.topic(existing)]);
    await deleteTopic(a, existing);
  });

  it('two concurrent creates of one name: one wins, the other gets TOPIC_ALREADY_EXISTS, and the partitions match the winner', async () => {
    const a = controller1.address;
    const name = uniqueName('race');
    const results = await Promise.allSettled([
      createTopic(a, { name, partitions: 3, replicationFactor: 1 }),
      createTopic(a, { name, partitions: 6, replicationFactor: 2 }),
    ]);
    const won = results.filter((r): r is PromiseFulfilledResult<v1.CreateTopicResponse__Output> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]?.reason as SamsaError).reason).toBe('TOPIC_ALREADY_EXISTS');
    const winner = won[0]?.value.topic as v1.TopicInfo__Output;
    const described = await describeOne(a, name);
    expect(described.partitions).toHaveLength(winner.partitions.length);
    for (const p of described.partitions) expect(p.replicas).toHaveLength(winner.replicationFactor);
    expect(await etcd.getAll().prefix(keys.partitionsOf(name)).keys()).toHaveLength(winner.partitions.length);
    await deleteTopic(a, name);
  });

  it('a create after a half-done one (more partitions, no topic record) leaves no stray partitions', async () => {
    const a = controller1.address;
    const name = uniqueName('half');
    // What a controller that died after its first chunk of a 5-partition create leaves behind.
    for (let p = 0; p < 5; p++) {
      await etcd
        .put(keys.partition(name, p))
        .value(JSON.stringify({ topic: name, partition: p, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] }));
    }
    const res = await createTopic(a, { name, partitions: 2, replicationFactor: 1 });
    expect(res.topic?.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(await etcd.getAll().prefix(keys.partitionsOf(name)).keys()).toHaveLength(2);
    await deleteTopic(a, name);
  });

  it('creates a topic with more partitions than one etcd transaction can hold', async () => {
    const a = controller1.address;
    const name = uniqueName('wide');
    const res = await createTopic(a, { name, partitions: 300, replicationFactor: 3 });
    expect(res.topic?.partitions).toHaveLength(300);
    expect(await etcd.getAll().prefix(keys.partitionsOf(name)).keys()).toHaveLength(300);
    await deleteTopic(a, name);
    expect(await etcd.getAll().prefix(keys.partitionsOf(name)).keys()).toHaveLength(0);
  });
});

describe('partition leadership follows broker leases', () => {
  it('moves leaders off a dead broker, goes offline when every replica is gone, and comes back', async () => {
    const a = controller1.address;
    const name = uniqueName('lead');
    const created = (await createTopic(a, { name, partitions: 6, replicationFactor: 2 })).topic as v1.TopicInfo__Output;
    const before = new Map(created.partitions.map((p) => [p.partition, p]));
    const [x, y] = [1, 2];

    // Broker x's lease ends: every partition it led moves to its other (in-sync) replica.
    const ledByX = created.partitions.filter((p) => p.leaderId === x).map((p) => p.partition);
    expect(ledByX.length).toBeGreaterThan(0);
    await revokeBroker(x);
    const afterX = await waitForTopic(
      a,
      name,
      (t) => t.partitions.every((p) => p.leaderId !== x && !p.isr.includes(x)),
      `partitions of ${name} to leave broker ${x}`,
    );
    for (const p of afterX.partitions) {
      const old = before.get(p.partition) as v1.PartitionInfo__Output;
      if (ledByX.includes(p.partition)) {
        const other = old.replicas.find((r) => r !== x);
        expect(p.leaderId).toBe(other);
        expect(p.leaderEpoch).toBeGreaterThan(old.leaderEpoch);
        expect(p.isr).toEqual([other]);
      } else {
        expect(p.leaderId).toBe(old.leaderId);
        expect(p.leaderEpoch).toBe(old.leaderEpoch);
      }
    }

    // Broker y goes too: partitions whose replicas were exactly {x, y} have no live replica left.
    const onlyXY = created.partitions.filter((p) => p.replicas.every((r) => r === x || r === y)).map((p) => p.partition);
    expect(onlyXY.length).toBeGreaterThan(0);
    await revokeBroker(y);
    const afterY = await waitForTopic(
      a,
      name,
      (t) => t.partitions.every((p) => (onlyXY.includes(p.partition) ? p.leaderId === -1 : p.leaderId === 3)),
      `partitions of ${name} replicated only on ${x},${y} to go offline`,
    );
    for (const p of afterY.partitions) expect(p.isr.length).toBeGreaterThan(0);

    // x comes back first: it dropped out of the ISR, so (unclean election off) it does not lead.
    await registerBroker(x);
    await waitForBrokers(a, [x, 3]);
    // y is the last in-sync replica of those partitions: when it returns it leads again.
    await registerBroker(y);
    const back = await waitForTopic(
      a,
      name,
      (t) => t.partitions.filter((p) => onlyXY.includes(p.partition)).every((p) => p.leaderId === y),
      `partitions of ${name} to be led by ${y} again`,
    );
    for (const p of back.partitions.filter((q) => onlyXY.includes(q.partition))) {
      const offline = afterY.partitions.find((q) => q.partition === p.partition) as v1.PartitionInfo__Output;
      expect(p.leaderEpoch).toBeGreaterThan(offline.leaderEpoch);
      expect(p.isr).toEqual([y]);
    }
    await deleteTopic(a, name);
  });
});

describe('a broker restarted within its lease', () => {
  it('a new process with the same id waits until the old registration has gone before it joins', async () => {
    const id = 7;
    const key = keys.broker(id);
    const old = await Membership.join(
      etcd,
      key,
      { id, host: '127.0.0.1', port: 40007, rack: '', startedAtMs: 1, cleanStart: true },
      30,
      logger,
    );
    try {
      let joined: Membership | undefined;
      const second = Membership.join(
        etcd,
        key,
        { id, host: '127.0.0.1', port: 40007, rack: '', startedAtMs: 2, cleanStart: false },
        5,
        logger,
      ).then((m) => (joined = m));
      // It does not take the key from the live lease.
      await new Promise((r) => setTimeout(r, 1000));
      expect(joined).toBeUndefined();
      expect(JSON.parse((await etcd.get(key).string()) ?? '{}')).toMatchObject({ startedAtMs: 1 });
      await old.leave();
      await second;
      expect(JSON.parse((await etcd.get(key).string()) ?? '{}')).toMatchObject({ startedAtMs: 2 });
      await joined?.leave();
    } finally {
      await old.leave();
    }
  });

  it('a join still waiting is ended by its abort signal', async () => {
    const key = keys.broker(8);
    const holder = await Membership.join(etcd, key, 'holder', 30, logger);
    try {
      const abort = new AbortController();
      const waiting = Membership.join(etcd, key, 'second', 5, logger, { signal: abort.signal });
      abort.abort();
      await expect(waiting).rejects.toThrow();
      expect(await etcd.get(key).string()).toBe('holder');
    } finally {
      await holder.leave();
    }
  });

  it('a registration replaced by a new incarnation without a departure moves leadership and bumps epochs', async () => {
    const a = controller1.address;
    const name = uniqueName('restart');
    await createTopic(a, { name, partitions: 6, replicationFactor: 2 });
    const before = await waitForTopic(a, name, (t) => t.partitions.every((p) => p.isr.length === 2), `${name} fully in sync`);
    const x = 1;
    const ledByX = before.partitions.filter((p) => p.leaderId === x);
    const followedByX = before.partitions.filter((p) => p.leaderId !== x && p.replicas.includes(x));
    expect(ledByX.length).toBeGreaterThan(0);
    // What a process killed and restarted faster than the controller noticed looks like: the key
    // is put again (new startedAtMs, new lease) with no delete in between.
    const lease = etcd.lease(TTL * 10);
    const registration: Omit<BrokerRegistration, 'brokerEpoch'> = {
      id: x,
      host: '127.0.0.1',
      port: 40000 + x,
      rack: '',
      startedAtMs: Date.now() + 1,
      cleanStart: false,
    };
    await lease.put(keys.broker(x)).value(JSON.stringify(registration)).exec();
    try {
      const after = await waitForTopic(
        a,
        name,
        (t) => t.partitions.every((p) => (p.replicas.includes(x) ? p.leaderId !== x && !p.isr.includes(x) : true)),
        `partitions of ${name} to move off the restarted broker ${x}`,
      );
      for (const old of ledByX) {
        const p = after.partitions.find((q) => q.partition === old.partition) as v1.PartitionInfo__Output;
        expect(p.leaderEpoch).toBeGreaterThan(old.leaderEpoch);
      }
      for (const old of followedByX) {
        const p = after.partitions.find((q) => q.partition === old.partition) as v1.PartitionInfo__Output;
        expect(p.leaderId).toBe(old.leaderId);
        expect(p.leaderEpoch).toBe(old.leaderEpoch);
      }
      await deleteTopic(a, name);
    } finally {
      // Hand the key back to the test's own registration of broker x.
      await brokers.get(x)?.leave();
      brokers.delete(x);
      await lease.revoke();
      await registerBroker(x);
      await waitForBrokers(a, [1, 2, 3]);
    }
  });
});

describe('fenced writes', () => {
  const election = `${new MetadataKeys(uniqueName('fence')).controllerElection}`;

  async function elect(client: Etcd3, value: string): Promise<{ e: ControllerElection; fence: Promise<Fence> }> {
    const e = new ControllerElection(client, election, TTL, logger);
    return { e, fence: e.campaign(value) };
  }

  it("a resigned controller's fence refuses to write (NOT_CONTROLLER) and writes nothing", async () => {
    const c1 = connectEtcd([etcdProcess.endpoint]);
    const c2 = connectEtcd([etcdProcess.endpoint]);
    try {
      const first = await elect(c1, 'first');
      const fence1 = await first.fence;
      const second = await elect(c2, 'second');
      // The second is a standby until the first goes.
      const probe = await Promise.race([second.fence.then(() => 'elected'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
      expect(probe).toBe('waiting');

      const k1 = `${election}-probe/${uniqueName('k')}`;
      await commitIfLeader(etcd, fence1, [], [{ put: k1, value: 'ok' }]);
      expect(await etcd.get(k1).string()).toBe('ok');

      await first.e.resign();
      const fence2 = await second.fence;
      expect(fence2.key).not.toBe(fence1.key);
      expect(BigInt(fence2.createRevision)).toBeGreaterThan(BigInt(fence1.createRevision));

      const k2 = `${election}-probe/${uniqueName('k')}`;
      let error: unknown;
      try {
        await commitIfLeader(etcd, fence1, [], [{ put: k2, value: 'stale' }, { delete: k1 }]);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SamsaError);
      expect((error as SamsaError).reason).toBe('NOT_CONTROLLER');
      expect(await etcd.get(k2).string()).toBeNull();
      expect(await etcd.get(k1).string()).toBe('ok');

      // The new fence writes; a failed guard under a standing fence is GuardFailedError, nothing written.
      await commitIfLeader(etcd, fence2, [], [{ put: k2, value: 'fresh' }]);
      expect(await etcd.get(k2).string()).toBe('fresh');
      await expect(
        commitIfLeader(etcd, fence2, [{ key: k2, target: 'Create', cmp: '==', value: 0 }], [{ put: k2, value: 'overwritten' }]),
      ).rejects.toBeInstanceOf(GuardFailedError);
      expect(await etcd.get(k2).string()).toBe('fresh');
      await second.e.resign();
    } finally {
      c1.close();
      c2.close();
    }
  });

  it('a controller whose lease ended behind its back is told it was deposed, and is fenced off', async () => {
    const c1 = connectEtcd([etcdProcess.endpoint]);
    const c2 = connectEtcd([etcdProcess.endpoint]);
    try {
      const first = await elect(c1, 'first');
      const fence1 = await first.fence;
      let deposed = false;
      first.e.onDeposed(() => (deposed = true));
      const second = await elect(c2, 'second');
      // The lease ends without the first's cooperation, as when it expires during a long pause or
      // a partition. (The campaign key ends in the lease id.)
      const leaseId = fence1.key.slice(fence1.key.lastIndexOf('/') + 1);
      await etcd.leaseClient.leaseRevoke({ ID: leaseId });
      const fence2 = await second.fence;
      expect(fence2.key).not.toBe(fence1.key);
      const k = `${election}-probe/${uniqueName('k')}`;
      await expect(commitIfLeader(etcd, fence1, [], [{ put: k, value: 'stale' }])).rejects.toMatchObject({ reason: 'NOT_CONTROLLER' });
      await expect(commitIfLeader(c1, fence1, [], [{ put: k, value: 'stale' }])).rejects.toMatchObject({ reason: 'NOT_CONTROLLER' });
      expect(await etcd.get(k).string()).toBeNull();
      // Its keepalive finds the lease gone: the election tells the (former) controller.
      await waitUntil(() => deposed, (TTL + 10) * 1000, 'the first election to report it was deposed');
      await first.e.resign();
      await second.e.resign();
    } finally {
      c1.close();
      c2.close();
    }
  });
});

// Last: it kills controller 1.
describe('standby controller', () => {
  it('one is active, the standby forwards, and after kill -9 the standby takes over', async () => {
    const controller2 = await startController(2);
    await waitForBrokers(controller2.address, [1, 2, 3]);
    // Exactly one active: both name controller 1, and the election holds two candidates.
    for (const c of [controller1, controller2]) {
      const md = await getMetadata(c.address);
      expect(md.controller).toMatchObject({ id: 1, port: controller1.spec.port });
    }
    // (etcd3's election recipe keeps its keys under `election/<name>/<lease id>`.)
    expect(await etcd.getAll().prefix(`election/${keys.controllerElection}/`).keys()).toHaveLength(2);

    // The standby forwards admin calls to the active controller.
    const forwarded = uniqueName('fwd');
    const res = await createTopic(controller2.address, { name: forwarded, partitions: 2, replicationFactor: 2 });
    expect(res.topic?.partitions).toHaveLength(2);
    expect((await listTopics(controller1.address)).names).toContain(forwarded);
    await waitUntil(async () => (await listTopics(controller2.address)).names.includes(forwarded), 10_000, 'standby to see the topic');
    await expectFailure(
      createTopic(controller2.address, { name: forwarded, partitions: 1, replicationFactor: 1 }),
      'TOPIC_ALREADY_EXISTS',
      grpc.status.ALREADY_EXISTS,
    );
    await deleteTopic(controller2.address, forwarded);
    expect((await listTopics(controller1.address)).names).not.toContain(forwarded);

    // An internal topic as a cluster made before compaction landed has it (128 MiB segments, which
    // the cleaner never reaches while they are active): the controller that takes office next brings
    // it to today's storage config (docs/adr/0029). The active one leaves it alone until then.
    const offsets = '__consumer_offsets';
    if (!(await listTopics(controller1.address, true)).names.includes(offsets)) await createOffsetsTopic(controller1.address);
    const record = JSON.parse((await etcd.get(keys.topic(offsets)).string()) ?? '{}') as { config: Record<string, unknown> };
    const old = { ...record, config: { ...record.config, segmentBytes: 128 * 1024 * 1024, minInsyncReplicas: 1 } };
    await etcd.put(keys.topic(offsets)).value(JSON.stringify(old));
    await waitUntil(
      async () => Number((await describeOne(controller1.address, offsets)).config?.segmentBytes) === 128 * 1024 * 1024,
      10_000,
      'the old segment size to show',
    );

    // kill -9 the active one: the standby is elected once the lease (TTL s) runs out.
    const epochBefore = JSON.parse((await etcd.get(keys.controllerEpoch).string()) ?? '{}') as { epoch: number };
    await controller1.kill9();
    await waitUntil(
      async () => (await getMetadata(controller2.address).catch(() => undefined))?.controller?.id === 2,
      (TTL + 10) * 1000,
      'controller 2 to become active',
      200,
    );
    const epochAfter = JSON.parse((await etcd.get(keys.controllerEpoch).string()) ?? '{}') as { epoch: number; controllerId: string };
    expect(epochAfter.epoch).toBeGreaterThan(epochBefore.epoch);
    expect(epochAfter.controllerId).toBe('2');
    const migrated = await waitForTopic(
      controller2.address,
      offsets,
      (t) => Number(t.config?.segmentBytes) === 4 * 1024 * 1024,
      'the new controller to bring __consumer_offsets to 4 MiB segments',
    );
    // Only the storage fields: what else the operator had is kept.
    expect(migrated.config).toMatchObject({ cleanupPolicy: 'compact', retentionMs: -1, minInsyncReplicas: 1 });
    const name = uniqueName('after-failover');
    const after = await createTopic(controller2.address, { name, partitions: 3, replicationFactor: 2 });
    expect(after.topic?.partitions).toHaveLength(3);
    expect((await listTopics(controller2.address)).names).toContain(name);
  });
});

/**
 * The Kafka gateway (issue 19) driven by real, unmodified Kafka clients against one real cluster
 * (etcd, controller, 2 brokers, a coordinator, the gateway; TLS with SASL PLAIN tokens unless
 * SAMSA_TEST_INSECURE=1): Debian's kcat (librdkafka) for metadata, keyed produce and consume, and
 * records crossing between Kafka clients and the Samsa SDK in both directions, keys on the same
 * partitions (murmur2); kcat -G and kafkajs groups; a group is Kafka clients' or Samsa members'
 * (ADR 0050); malformed frames close only their own connection.
 *
 * Why one file (over ~500 lines): every case shares the one cluster started at the top, and each
 * split would add a cluster start to CI.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { Samsa } from '../../libs/client/index.js';
import { partitionForKey } from '../../libs/partitioner/index.js';
import { signToken } from '../../libs/security/index.js';
import { encodeRequest, decodeResponse, ERROR_CODES, FrameSplitter } from '../../libs/kafka-protocol/index.js';
import { coordinatorClient, REASON_TRAILER, type v1 } from '../../libs/rpc/index.js';
import * as grpc from '@grpc/grpc-js';
import type { LocalCluster } from '../../tools/launcher/index.js';
import { startCluster, TEST_SECURITY, uniqueName } from '../harness/cluster.js';

const secure = TEST_SECURITY === 'tls';

let cluster: LocalCluster;
let samsa: Samsa;
let gateway: string;
/** kcat's -X settings for the gateway (SASL_SSL with a token of `subject`, or plaintext). */
let kcatAuth: (subject?: string) => string[];

function token(subject: string): string {
  const key = readFileSync(cluster.tokenKeys?.privateKey as string, 'utf8');
  return signToken(key, { sub: subject, exp: Math.floor(Date.now() / 1000) + 3600 });
}

async function kcat(args: string[], input?: string, subject?: string): Promise<string> {
  const child = execFile('kcat', ['-b', gateway, ...kcatAuth(subject), ...args], { timeout: 60_000 });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => err.push(d.toString()));
  if (input !== undefined) child.stdin?.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${code}: ${err.join('')}`);
  return out.join('');
}

/** A TCP (TLS when secure) connection to the gateway. */
function openGateway(): Promise<Socket> {
  const [host, port] = gateway.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const s = secure
      ? tlsConnect({ host, port: Number(port), ca: readFileSync(cluster.clientTls?.ca as string), servername: 'localhost' })
      : connect({ host, port: Number(port) });
    s.once(secure ? 'secureConnect' : 'connect', () => resolve(s));
    s.once('error', reject);
  });
}

interface RawKafka {
  request<T>(apiKey: number, version: number, body: object): Promise<T>;
  close(): void;
}

/** A Kafka connection spoken by hand (one request at a time), authenticated as `subject` when secure. */
async function rawKafka(subject: string): Promise<RawKafka> {
  const socket = await openGateway();
  const splitter = new FrameSplitter(64 * 1024 * 1024);
  const waiting: ((frame: Buffer) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    for (const frame of splitter.push(d)) waiting.shift()?.(frame);
  });
  let correlationId = 0;
  const raw: RawKafka = {
    request: <T>(apiKey: number, version: number, body: object): Promise<T> => {
      const id = ++correlationId;
      const answer = new Promise<Buffer>((resolve) => waiting.push(resolve));
      socket.write(encodeRequest({ apiKey, apiVersion: version, correlationId: id, clientId: 'raw-test' }, body));
      return answer.then((frame) => decodeResponse<T>(apiKey, version, frame).body);
    },
    close: () => socket.destroy(),
  };
  if (secure) {
    expect((await raw.request<{ errorCode: number }>(17, 1, { mechanism: 'PLAIN' })).errorCode).toBe(ERROR_CODES.NONE);
    const auth = await raw.request<{ errorCode: number }>(36, 2, { authBytes: Buffer.from(`\0${subject}\0${token(subject)}`) });
    expect(auth.errorCode).toBe(ERROR_CODES.NONE);
  }
  return raw;
}

interface JoinAnswer {
  errorCode: number;
  generationId: number;
  memberId: string;
  leader: string;
}

/** JoinGroup v5 of a "consumer" member with the range protocol (first join: empty member id). */
function joinGroup(k: RawKafka, groupId: string, memberId = ''): Promise<JoinAnswer> {
  return k.request<JoinAnswer>(11, 5, {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  });
}

async function eventually(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let n = 0; n < 300; n++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  cluster = await startCluster({ name: 'kafka-gateway', brokers: 2, coordinators: 1, kafkaGateways: 1 });
  gateway = (cluster.kafkaGateways[0] as { address: string }).address;
  const ca = cluster.clientTls?.ca;
  // The harness made this process a client of the cluster (its default transport).
  samsa = new Samsa({ bootstrap: cluster.bootstrap });
  kcatAuth = (subject = 'samsa-cli') =>
    secure
      ? [
          '-X',
          'security.protocol=SASL_SSL',
          '-X',
          'sasl.mechanisms=PLAIN',
          '-X',
          `sasl.username=${subject}`,
          '-X',
          `sasl.password=${token(subject)}`,
          '-X',
          `ssl.ca.location=${ca}`,
        ]
      : [];
  return async () => {
    await samsa.close();
  };
}, 180_000);

describe('kcat through the gateway', () => {
  it('-L lists the gateway as the only broker and the topic with its partitions', async () => {
    const topic = uniqueName('kcat-l');
    await samsa.admin().createTopic({ name: topic, partitions: 3, replicationFactor: 2 });
    const md = JSON.parse(await kcat(['-L', '-J', '-t', topic])) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(md.brokers).toEqual([{ id: 1, name: gateway }]);
    expect(md.topics[0]?.topic).toBe(topic);
    expect(md.topics[0]?.partitions.map((p) => [p.partition, p.leader])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  it('-P with keys lands each key on its murmur2 partition; -C reads them back; the SDK reads the same records', async () => {
    const topic = uniqueName('kcat-p');
    await samsa.admin().createTopic({ name: topic, partitions: 4, replicationFactor: 2 });
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    // librdkafka's default partitioner is CRC32-based; murmur2_random is the Java client's (and Samsa's).
    await kcat(
      ['-P', '-t', topic, '-K', ':', '-X', 'acks=all', '-X', 'partitioner=murmur2_random'],
      keys.map((k) => `${k}:value of ${k}`).join('\n') + '\n',
    );
    const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p %k %s\\n']);
    const seen = out
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([p, k, ...v]) => ({ p: Number(p), k, v: v.join(' ') }));
    expect(seen.map((s) => s.k).sort()).toEqual([...keys].sort());
    for (const s of seen) {
      expect(s.p).toBe(partitionForKey(Buffer.from(s.k as string), 4));
      expect(s.v).toBe(`value of ${s.k}`);
    }
    // The SDK reads the same records on the same partitions.
    const consumer = samsa.consumer();
    const sdk: { p: number; k: string; v: string }[] = [];
    for (let p = 0; p < 4; p++) {
      for await (const m of consumer.partition({ topic, partition: p, follow: false }))
        sdk.push({ p, k: m.key?.toString() ?? '', v: m.value?.toString() ?? '' });
    }
    expect(sdk.sort((a, b) => a.k.localeCompare(b.k))).toEqual(seen.sort((a, b) => (a.k as string).localeCompare(b.k as string)));
  });

  it('records the SDK produces are read by kcat identically, keys and headers included', async () => {
    const topic = uniqueName('sdk-to-kcat');
    await samsa.admin().createTopic({ name: topic, partitions: 3, replicationFactor: 2 });
    const producer = samsa.producer();
    const keys = Array.from({ length: 9 }, (_, i) => `k${i}`);
    await producer.send({ topic, messages: keys.map((k) => ({ key: k, value: `v-${k}`, headers: { h: `hv-${k}` } })) });
    const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p|%k|%s|%h\\n']);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    expect(rows.map((r) => r[1]).sort()).toEqual(keys);
    for (const [p, k, v, h] of rows) {
      expect(Number(p)).toBe(partitionForKey(Buffer.from(k as string), 3));
      expect(v).toBe(`v-${k}`);
      expect(h).toBe(`h=hv-${k}`);
    }
  });

  it('-G joins a group through the classic protocol, reads every record once and commits on exit; the SDK sees the commits', async () => {
    const topic = uniqueName('kcat-g');
    await samsa.admin().createTopic({ name: topic, partitions: 3, replicationFactor: 2 });
    const keys = Array.from({ length: 15 }, (_, i) => `g${i}`);
    await samsa.producer().send({ topic, messages: keys.map((k) => ({ key: k, value: `value of ${k}` })) });
    const groupId = uniqueName('kcat-group');
    // A KafkaConsumer (librdkafka's balanced consumer): JoinGroup, SyncGroup, Heartbeat,
    // OffsetFetch, Fetch, OffsetCommit (auto commit, and a final one at close), LeaveGroup.
    const out = await kcat([
      '-G',
      groupId,
      topic,
      '-e',
      '-f',
      '%p %k %s\\n',
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'auto.commit.interval.ms=200',
    ]);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([p, k, ...v]) => ({ p: Number(p), k: k as string, v: v.join(' ') }));
    expect(rows.map((r) => r.k).sort()).toEqual([...keys].sort());
    for (const r of rows) {
      expect(r.p).toBe(partitionForKey(Buffer.from(r.k), 3));
      expect(r.v).toBe(`value of ${r.k}`);
    }
    // The group's commits are in Samsa's coordinator: each partition committed to its end.
    const offsets = await samsa.groups().fetchOffsets(
      groupId,
      [0, 1, 2].map((partition) => ({ topic, partition })),
    );
    for (const o of offsets) expect(Math.max(o.offset, 0), `partition ${o.partition}`).toBe(rows.filter((r) => r.p === o.partition).length);
  });

  it.runIf(secure)('a client acts as its own principal: a token without ACLs is refused, and a bad token fails SASL', async () => {
    const topic = uniqueName('kcat-acl');
    await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    await expect(kcat(['-P', '-t', topic], 'x\n', 'nobody')).rejects.toThrow(/authoriz/i);
    const bad = execFile('kcat', [
      '-b',
      gateway,
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      'sasl.mechanisms=PLAIN',
      '-X',
      'sasl.username=x',
      '-X',
      'sasl.password=not-a-token',
      '-X',
      `ssl.ca.location=${cluster.clientTls?.ca}`,
      '-L',
      '-m',
      '5',
    ]);
    const err: string[] = [];
    bad.stderr?.on('data', (d: Buffer) => err.push(d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.on('close', resolve));
    expect(code).not.toBe(0);
    expect(err.join('')).toMatch(/authentication failed|SASL/i);
  });
});

describe('malformed frames close only their connection', () => {
  const open = openGateway;
  const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
  async function apiVersions(
    s: Socket,
    version: number,
  ): Promise<{ errorCode: number; apiKeys: { apiKey: number; maxVersion: number }[] }> {
    const reply = new Promise<Buffer>((resolve) => {
      let buf = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) resolve(buf.subarray(4, 4 + buf.readInt32BE(0)));
      });
    });
    s.write(encodeRequest({ apiKey: 18, apiVersion: version, correlationId: 42, clientId: 'test' }, {}));
    // An unsupported version is answered in v0 (KIP-511).
    return decodeResponse<{ errorCode: number; apiKeys: { apiKey: number; maxVersion: number }[] }>(
      18,
      version > 3 ? 0 : version,
      await reply,
    ).body;
  }

  it('an oversized length, an unknown API key and a truncated body each close that connection; another connection is served meanwhile', async () => {
    const healthy = await open();
    const huge = await open();
    huge.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    await closed(huge);
    const unknown = await open();
    unknown.write(encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: null }, {}).fill(0x7f, 4, 6));
    await closed(unknown);
    const truncated = await open();
    // A Metadata v1 frame whose body ends in the middle of its topic array.
    const frame = Buffer.from([0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 5, 0xff, 0xff, 0, 0, 0, 9]);
    truncated.write(frame);
    await closed(truncated);
    if (secure) {
      // Before SASL, frames of at most 512 KiB (Kafka's sasl.server.max.receive.size): an anonymous
      // peer cannot make the gateway hold a 1 MiB (or 100 MiB) frame.
      const anonymous = await open();
      anonymous.write(Buffer.from([0x00, 0x10, 0x00, 0x00]));
      await closed(anonymous);
    }
    expect((await apiVersions(healthy, 3)).errorCode).toBe(ERROR_CODES.NONE);
    healthy.destroy();
  });

  it('ApiVersions at a version the gateway lacks is answered in v0 with UNSUPPORTED_VERSION and the supported ranges', async () => {
    const s = await open();
    const res = await apiVersions(s, 4);
    expect(res.errorCode).toBe(ERROR_CODES.UNSUPPORTED_VERSION);
    expect(res.apiKeys.find((k) => k.apiKey === 18)?.maxVersion).toBe(3);
    s.destroy();
  });
});

describe("docker-compose's healthcheck of the gateway", () => {
  it('health-probe --kafka exits 0 once the gateway answers ApiVersions, and 1 where nothing listens', async () => {
    const probe = (address: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const env = secure
          ? { ...process.env, SAMSA_INSECURE: '', SAMSA_TLS_CA: cluster.clientTls?.ca as string }
          : { ...process.env, SAMSA_INSECURE: '1' };
        execFile(process.execPath, ['dist/tools/health-probe.js', '--kafka', address], { env, timeout: 30_000 }, (err, stdout) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout }),
        );
      });
    const up = await probe(gateway);
    expect(up.out).toContain('ApiVersions answered');
    expect(up.code).toBe(0);
    const [host] = gateway.split(':') as [string];
    expect((await probe(`${host}:1`)).code).toBe(1);
  });
});

describe('kafkajs through the gateway', () => {
  function kafka(): Kafka {
    return new Kafka({
      clientId: 'kafkajs-test',
      brokers: [gateway],
      logLevel: logLevel.NOTHING,
      ...(secure
        ? {
            ssl: { ca: [readFileSync(cluster.clientTls?.ca as string, 'utf8')], servername: 'localhost' },
            sasl: { mechanism: 'plain' as const, username: 'samsa-cli', password: token('samsa-cli') },
          }
        : {}),
    });
  }

  it('admin creates and deletes a topic; an idempotent gzip producer writes, the SDK reads it identically; a group member reads and commits, seen by Samsa', async () => {
    const k = kafka();
    const admin = k.admin();
    await admin.connect();
    const topic = uniqueName('kjs');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 2 }] })).toBe(true);
    const producer = k.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();
    // The SDK reads the gzip batches the idempotent producer wrote, identically, keys on their murmur2 partitions.
    const sdk: { key: string; value: string }[] = [];
    for (let p = 0; p < 2; p++)
      for await (const m of samsa.consumer().partition({ topic, partition: p, follow: false })) {
        expect(p).toBe(partitionForKey(m.key as Buffer, 2));
        sdk.push({ key: m.key?.toString() ?? '', value: m.value?.toString() ?? '' });
      }
    expect(sdk.sort((a, b) => a.key.localeCompare(b.key))).toEqual([...messages].sort((a, b) => a.key.localeCompare(b.key)));
    const groupId = uniqueName('kjs-group');
    const consumer = k.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          expect(partition).toBe(partitionForKey(message.key as Buffer, 2));
          got.push(message.value?.toString() ?? '');
          if (got.length === messages.length) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(got.sort()).toEqual(messages.map((m) => m.value).sort());
    // The commits are in Samsa's coordinator: 20 records over 2 partitions, committed to their ends.
    const offsets = await samsa.groups().fetchOffsets(groupId, [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    expect(offsets.reduce((n, o) => n + Math.max(o.offset, 0), 0)).toBe(20);
    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });
  it('two members of one group share the partitions (client-side assignment) and together read every record once', async () => {
    const k = kafka();
    const topic = uniqueName('kjs-two');
    await samsa.admin().createTopic({ name: topic, partitions: 4, replicationFactor: 1 });
    const groupId = uniqueName('kjs-two-group');
    const members = [0, 1].map(() => k.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, rebalanceTimeout: 10_000 }));
    const assigned: number[][] = [[], []];
    const got: { member: number; partition: number; value: string }[] = [];
    for (const [i, c] of members.entries()) {
      c.on(c.events.GROUP_JOIN, (e) => {
        assigned[i] = (e.payload.memberAssignment[topic] ?? []) as number[];
      });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        eachMessage: async ({ partition, message }) => {
          got.push({ member: i, partition, value: message.value?.toString() ?? '' });
        },
      });
    }
    // Both members hold partitions, none twice, all four between them.
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      for (let n = 0; n < 600 && !cond(); n++) await new Promise((r) => setTimeout(r, 100));
      if (!cond()) throw new Error(`timed out waiting for ${what}`);
    };
    await until(
      () => assigned[0]!.length > 0 && assigned[1]!.length > 0 && [...assigned[0]!, ...assigned[1]!].sort().join() === '0,1,2,3',
      'both members assigned',
    );
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    await until(() => got.length >= 40, '40 records');
    await Promise.all(members.map((c) => c.disconnect()));
    expect(got.map((g) => g.value).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
    for (const g of got) expect(assigned[g.member]).toContain(g.partition);
  });
});

describe("a group is Kafka clients' or Samsa members', never both (docs/adr/0050)", () => {
  /** A Samsa GroupConsume member joining `groupId` (as the CLI's identity); resolves with its first answer or its end. */
  async function samsaJoin(
    groupId: string,
    topic: string,
  ): Promise<{ assigned: boolean; code?: number; reason?: string; details?: string; close(): void }> {
    const address = await samsa.groups().findCoordinator(groupId, true);
    const client = coordinatorClient(address);
    const call = client.groupConsume();
    call.on('error', () => undefined);
    const first = new Promise<{ assigned: boolean; code?: number; reason?: string; details?: string }>((resolve) => {
      call.on('data', (res: v1.GroupConsumeResponse__Output) => {
        if (res.assignment) resolve({ assigned: true });
      });
      call.on('status', (st: grpc.StatusObject) =>
        resolve({ assigned: false, code: st.code, reason: String(st.metadata.get(REASON_TRAILER)[0] ?? ''), details: st.details }),
      );
    });
    call.write({ join: { groupId, topics: [topic], sessionTimeoutMs: 6_000 } });
    const r = await first;
    return {
      ...r,
      close: () => {
        call.end();
        client.close();
      },
    };
  }

  it('a GroupConsume member is refused FAILED_PRECONDITION while Kafka clients hold the group, and joins once they left; a Kafka client is then refused INCONSISTENT_GROUP_PROTOCOL', async () => {
    const topic = uniqueName('mix');
    await samsa.admin().createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const groupId = uniqueName('mix-group');
    const kafka = await rawKafka('samsa-cli');
    const joined = await joinGroup(kafka, groupId);
    expect(joined).toMatchObject({ errorCode: ERROR_CODES.NONE, generationId: 1 });

    const refused = await samsaJoin(groupId, topic);
    refused.close();
    expect(refused.assigned).toBe(false);
    expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(refused.reason).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect(refused.details).toContain(`group "${groupId}" is held by Kafka-protocol members`);

    // The Kafka member commits (through the gateway, as its holder); a commit from outside is refused.
    const synced = await kafka.request<{ errorCode: number }>(14, 5, {
      groupId,
      generationId: 1,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: Buffer.alloc(0) }],
    });
    expect(synced.errorCode).toBe(ERROR_CODES.NONE);
    const committed = await kafka.request<{ topics: { partitions: { errorCode: number }[] }[] }>(8, 8, {
      groupId,
      generationIdOrMemberEpoch: 1,
      memberId: joined.memberId,
      groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
    });
    expect(committed.topics[0]?.partitions[0]?.errorCode).toBe(ERROR_CODES.NONE);
    expect((await samsa.groups().fetchOffsets(groupId, [{ topic, partition: 0 }]))[0]?.offset).toBe(0);
    await expect(samsa.groups().commitOffsets(groupId, [{ topic, partition: 1, offset: 0, metadata: '' }])).rejects.toMatchObject({
      reason: 'GROUP_NOT_EMPTY',
    });

    // The Kafka member leaves: the gateway releases the group, and a Samsa member may have it.
    const left = await kafka.request<{ errorCode: number }>(13, 3, {
      groupId,
      members: [{ memberId: joined.memberId, groupInstanceId: null }],
    });
    expect(left.errorCode).toBe(ERROR_CODES.NONE);
    let member: Awaited<ReturnType<typeof samsaJoin>> | undefined;
    await eventually(async () => {
      member?.close();
      member = await samsaJoin(groupId, topic);
      return member.assigned;
    }, 'the released group to take a Samsa member');

    // Now the Kafka client is the one refused.
    expect((await joinGroup(kafka, groupId)).errorCode).toBe(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL);
    member?.close();
    kafka.close();
  });

  it.runIf(secure)('JoinGroup needs READ on the group: DESCRIBE alone is GROUP_AUTHORIZATION_FAILED, with READ it joins', async () => {
    const groupId = uniqueName('read-group');
    const acl = (operation: 'DESCRIBE' | 'READ') => ({
      resourceType: 'GROUP' as const,
      resourceName: groupId,
      patternType: 'LITERAL' as const,
      principal: 'User:describer',
      host: '*',
      operation,
      permission: 'ALLOW' as const,
    });
    await samsa.admin().createAcls([acl('DESCRIBE')]);
    const kafka = await rawKafka('describer');
    const find = () => kafka.request<{ errorCode: number }>(10, 3, { key: groupId, keyType: 0 });
    await eventually(async () => (await find()).errorCode === ERROR_CODES.NONE, 'DESCRIBE on the group to apply');
    expect((await joinGroup(kafka, groupId)).errorCode).toBe(ERROR_CODES.GROUP_AUTHORIZATION_FAILED);
    await samsa.admin().createAcls([acl('READ')]);
    let joined: JoinAnswer | undefined;
    await eventually(async () => {
      joined = await joinGroup(kafka, groupId);
      return joined.errorCode !== ERROR_CODES.GROUP_AUTHORIZATION_FAILED;
    }, 'READ on the group to apply');
    expect(joined?.errorCode).toBe(ERROR_CODES.NONE);
    kafka.close();
  });
});

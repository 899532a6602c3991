/**
 * Authorization and authentication through real processes (issue 14 items 2-4): Kafka's ACL model
 * on every client RPC of broker, controller and coordinator, deny by default, ACLs changed through
 * the controller and applied without a restart; internal RPCs for service identities only; bearer
 * tokens; quotas that throttle instead of failing.
 *
 * The cluster runs with the default client authentication (SAMSA_TLS_CLIENT_AUTH=optional), so
 * bearer-token clients get in without a certificate; a client with neither is User:ANONYMOUS and
 * has no ACLs, and a certificate that does not verify counts as none.
 * This process's own default transport carries the CLI's certificate, a super-user (as `npm start`
 * makes it): it plays the operator.
 *
 * Why one file (over ~500 lines): every case shares the one cluster started at the top, and each
 * test file starts its own, so a second file would add a cluster start (and its processes) to CI
 * for no gain in reading; the describe blocks are the chapters.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  brokerClient,
  controllerClient,
  coordinatorClient,
  replicationClient,
  deadlineIn,
  REASON_TRAILER,
  SERVICE_IDENTITY_HEADER,
  type v1,
} from '../../libs/rpc/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import {
  BURST_SECONDS,
  LEEWAY_SECONDS,
  bindingToProto,
  clientTlsCredentials,
  LocalCa,
  signToken,
  THROTTLE_TRAILER,
  type AclBinding,
} from '../../libs/security/index.js';
import { runCli } from '../harness/cli.js';
import { sharedTestCa, startCluster, tempDir, TEST_SECURITY, uniqueName } from '../harness/cluster.js';

const tls = TEST_SECURITY === 'tls';
const cluster = tls ? await startCluster({ name: 'authz', brokers: 1, controllers: 1, coordinators: 1 }) : undefined;
// A second, small cluster with ACL checks off (SAMSA_AUTHORIZATION=none).
const withoutAcls = tls
  ? await startCluster({ name: 'authz-none', brokers: 1, controllers: 1, env: { SAMSA_AUTHORIZATION: 'none' } })
  : undefined;
const ca = await sharedTestCa();
const certDir = tempDir('authz-certs');
const controller = (credentials?: grpc.ChannelCredentials) => controllerClient(cluster!.controllers[0]!.address, undefined, credentials);
const broker = (credentials?: grpc.ChannelCredentials) => brokerClient(cluster!.bootstrap, undefined, credentials);

const credentialsOf = async (name: string): Promise<grpc.ChannelCredentials> =>
  clientTlsCredentials(await ca.issue(name, { outDir: certDir }));
const alice = tls ? await credentialsOf('alice') : undefined;
const bob = tls ? await credentialsOf('bob') : undefined;
const clients: grpc.Client[] = [];
afterAll(() => clients.forEach((c) => c.close()));
function keep<C extends grpc.Client>(c: C): C {
  clients.push(c);
  return c;
}

interface Outcome<T> {
  err?: grpc.ServiceError;
  res?: T;
}
/** A unary call's outcome, error or answer. */
function outcome<T>(invoke: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void): Promise<Outcome<T>> {
  return new Promise((resolve) => invoke((err, res) => resolve(err ? { err } : { res: res as T })));
}
const opts = (): grpc.CallOptions => ({ deadline: deadlineIn(10_000) });
/** The status a Replicate stream ends with after one request (the guard refuses it before any answer). */
function replicateStatus(client: ReturnType<typeof replicationClient>, metadata?: grpc.Metadata): Promise<grpc.StatusObject> {
  const stream = client.replicate(metadata ?? new grpc.Metadata(), opts());
  return new Promise<grpc.StatusObject>((resolve) => {
    stream.on('status', resolve);
    stream.on('error', () => undefined);
    stream.on('data', () => undefined);
    stream.write({ followerId: 1 } as v1.ReplicaFetchRequest);
  });
}
const reasonOf = (err: grpc.ServiceError | undefined) => err?.metadata?.get(REASON_TRAILER)[0];

async function createTopic(name: string): Promise<void> {
  const r = await outcome<v1.CreateTopicResponse__Output>((cb) =>
    keep(controller()).createTopic({ name, partitions: 1, replicationFactor: 1 }, opts(), cb),
  );
  expect(r.err).toBeUndefined();
  await waitUntil(
    async () => (await outcome((cb) => keep(broker()).getMetadata({ topics: [name] }, opts(), cb))).res !== undefined,
    10_000,
    `topic ${name} on the broker`,
  );
}
const record = (value: string) => ({ records: [{ value: Buffer.from(value) }] });
const produceAs = (credentials: grpc.ChannelCredentials | undefined, topic: string, value = 'v') =>
  outcome<v1.ProduceResponse__Output>((cb) => keep(broker(credentials)).produce({ topic, acks: 'ACKS_ALL', ...record(value) }, opts(), cb));

const allow = (
  principal: string,
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  operation: AclBinding['operation'],
  patternType: AclBinding['patternType'] = 'LITERAL',
): AclBinding => ({
  principal,
  resourceType,
  resourceName,
  operation,
  patternType,
  host: '*',
  permission: 'ALLOW',
});
async function addAcls(...acls: AclBinding[]): Promise<void> {
  const r = await outcome((cb) => keep(controller()).createAcls({ acls: acls.map(bindingToProto) }, opts(), cb));
  expect(r.err).toBeUndefined();
}
/** Waits until `check` passes: ACL changes reach the services through their etcd watch, a moment later. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  await waitUntil(check, 10_000, what);
}

describe.runIf(tls)('ACLs: deny by default, Kafka operations per RPC', () => {
  it('a valid principal without ACLs is refused PERMISSION_DENIED, with a message naming the missing ACL', async () => {
    const topic = uniqueName('nobody');
    await createTopic(topic);
    const { err } = await produceAs(bob, topic);
    expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(reasonOf(err)).toBe('AUTHORIZATION_FAILED');
    expect(err?.details).toContain(`User:bob may not WRITE TOPIC "${topic}"`);
    expect(err?.details).toContain(`samsa acls add --allow --principal User:bob --operation WRITE --topic ${topic}`);
    // Reads, admin and group calls likewise; metadata of every topic lists none of them.
    expect((await outcome((cb) => keep(broker(bob)).fetch({ topic, partition: 0, offset: 0 }, opts(), cb))).err?.code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    expect((await outcome((cb) => keep(controller(bob)).deleteTopic({ name: topic }, opts(), cb))).err?.details).toContain(
      `may not DELETE TOPIC "${topic}"`,
    );
    expect((await outcome((cb) => keep(controller(bob)).createTopic({ name: uniqueName('b') }, opts(), cb))).err?.code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    expect(
      (await outcome((cb) => keep(coordinatorClient(cluster!.bootstrap, undefined, bob)).findCoordinator({ groupId: 'g' }, opts(), cb))).err
        ?.details,
    ).toContain('may not DESCRIBE GROUP "g"');
    const all = await outcome<v1.GetMetadataResponse__Output>((cb) => keep(broker(bob)).getMetadata({ topics: [] }, opts(), cb));
    expect(all.res?.topics.map((t) => t.name)).toEqual([]);
    const listed = await outcome<v1.ListTopicsResponse__Output>((cb) =>
      keep(controller(bob)).listTopics({ includeInternal: true }, opts(), cb),
    );
    expect(listed.res?.names).toEqual([]);
    // ACL administration itself needs ACLs on the cluster.
    const r = await outcome((cb) =>
      keep(controller(bob)).createAcls({ acls: [bindingToProto(allow('User:bob', 'TOPIC', '*', 'ALL'))] }, opts(), cb),
    );
    expect(r.err?.details).toContain('may not ALTER CLUSTER "kafka-cluster"');
    // And the refusal is an audit line in the broker's log.
    const log = readFileSync(join(cluster!.dir, 'logs', 'broker-1.log'), 'utf8');
    expect(log).toMatch(
      new RegExp(`"audit":true,"event":"denied","principal":"User:bob".*"operation":"WRITE","resource":"TOPIC:${topic}"`),
    );
  });

  it('a prefixed ACL allows the matching topics only, and changes apply without a restart', async () => {
    const prefix = uniqueName('orders');
    const mine = `${prefix}-eu`;
    const other = uniqueName('payments');
    await createTopic(mine);
    await createTopic(other);
    await addAcls(
      allow('User:alice', 'TOPIC', `${prefix}-`, 'WRITE', 'PREFIXED'),
      allow('User:alice', 'TOPIC', `${prefix}-`, 'READ', 'PREFIXED'),
    );
    await eventually(async () => (await produceAs(alice, mine)).err === undefined, 'alice may write her prefix');
    expect((await produceAs(alice, other)).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await produceAs(alice, prefix)).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    const fetched = await outcome<v1.FetchResponse__Output>((cb) =>
      keep(broker(alice)).fetch({ topic: mine, partition: 0, offset: 0, format: 'RECORD_FORMAT_STRUCTURED' }, opts(), cb),
    );
    expect(fetched.res?.records.length).toBeGreaterThan(0);
    // Metadata of everything lists what she may describe (WRITE and READ imply DESCRIBE).
    const all = await outcome<v1.GetMetadataResponse__Output>((cb) => keep(broker(alice)).getMetadata({ topics: [] }, opts(), cb));
    expect(all.res?.topics.map((t) => t.name)).toEqual([mine]);

    // A DENY wins over the prefix's ALLOW, and says which ACL denied.
    const secret = `${prefix}-secret`;
    await createTopic(secret);
    await addAcls({ ...allow('User:alice', 'TOPIC', secret, 'ALL'), permission: 'DENY' });
    await eventually(async () => (await produceAs(alice, secret)).err?.code === grpc.status.PERMISSION_DENIED, 'the DENY applies');
    expect((await produceAs(alice, secret)).err?.details).toContain(`denied by the ACL DENY User:alice ALL on TOPIC ${secret} (LITERAL)`);

    // Removing the ALLOW takes the right away again.
    const deleted = await outcome<v1.DeleteAclsResponse__Output>((cb) =>
      keep(controller()).deleteAcls(
        { filters: [{ principal: 'User:alice', resourceName: `${prefix}-`, patternType: 'ACL_PATTERN_TYPE_PREFIXED' }] },
        opts(),
        cb,
      ),
    );
    expect(deleted.res?.deleted.length).toBe(2);
    await eventually(async () => (await produceAs(alice, mine)).err?.code === grpc.status.PERMISSION_DENIED, 'alice may no longer write');
    const described = await outcome<v1.DescribeAclsResponse__Output>((cb) =>
      keep(controller()).describeAcls({ filter: { principal: 'User:alice' } }, opts(), cb),
    );
    expect(described.res?.acls.map((a) => [a.permission, a.resourceName])).toEqual([['ACL_PERMISSION_DENY', secret]]);
    // The changes are audit lines on the controller.
    const log = readFileSync(join(cluster!.dir, 'logs', 'controller-1.log'), 'utf8');
    expect(log).toMatch(/"audit":true,"event":"acl-created","by":"User:samsa-cli"/);
    expect(log).toMatch(/"audit":true,"event":"acl-deleted","by":"User:samsa-cli"/);
  });

  it('a consumer group needs READ on the group and on its topics', async () => {
    const topic = uniqueName('grp');
    const group = uniqueName('g');
    await createTopic(topic);
    const commit = (creds: grpc.ChannelCredentials | undefined) =>
      outcome((cb) =>
        keep(coordinatorClient(cluster!.coordinators[0]!.address, undefined, creds)).commitOffsets(
          { groupId: group, memberId: '', generation: -1, offsets: [{ topic, partition: 0, offset: 1 }] },
          opts(),
          cb,
        ),
      );
    expect((await commit(bob)).err?.details).toContain(`may not READ GROUP "${group}"`);
    await addAcls(allow('User:bob', 'GROUP', group, 'READ'));
    await eventually(
      async () => (await commit(bob)).err?.details?.includes(`may not READ TOPIC "${topic}"`) === true,
      'the group ACL applies, the topic one is missing',
    );
  });

  it('a client calling Replicate or CreateInternalTopic is refused, even a super-user', async () => {
    const superUser = undefined; // this process's default transport: the CLI's certificate
    for (const creds of [bob, superUser]) {
      const status = await replicateStatus(keep(replicationClient(cluster!.bootstrap, undefined, creds)));
      expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(status.details).toContain("is for Samsa's own broker services");
      const internal = await outcome((cb) =>
        keep(controller(creds)).createInternalTopic({ name: '__consumer_offsets', partitions: 1, replicationFactor: 1 }, opts(), cb),
      );
      expect(internal.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    }
  });

  it('produce, delete and alter of __consumer_offsets are refused whatever the ACLs say', async () => {
    await addAcls(allow('User:carol', 'TOPIC', '*', 'ALL'));
    const carol = await credentialsOf('carol');
    await eventually(
      async () => (await outcome((cb) => keep(controller(carol)).listTopics({ includeInternal: true }, opts(), cb))).res !== undefined,
      'carol ACLs',
    );
    for (const creds of [carol, undefined]) {
      const produced = await produceAs(creds, '__consumer_offsets');
      expect(reasonOf(produced.err)).toBe('POLICY_VIOLATION');
      expect(reasonOf((await outcome((cb) => keep(controller(creds)).deleteTopic({ name: '__consumer_offsets' }, opts(), cb))).err)).toBe(
        'POLICY_VIOLATION',
      );
      expect(
        reasonOf(
          (
            await outcome((cb) =>
              keep(controller(creds)).alterTopicConfig({ name: '__consumer_offsets', config: { retentionMs: 1 } }, opts(), cb),
            )
          ).err,
        ),
      ).toBe('POLICY_VIOLATION');
      expect(
        reasonOf(
          (await outcome((cb) => keep(controller(creds)).createPartitions({ name: '__consumer_offsets', totalPartitions: 99 }, opts(), cb)))
            .err,
        ),
      ).toBe('POLICY_VIOLATION');
    }
  });

  it('a client with no certificate and no token is User:ANONYMOUS, with no rights', async () => {
    const anonymous = grpc.credentials.createSsl(readFileSync(ca.caCert));
    const topic = uniqueName('anon');
    await createTopic(topic);
    const { err } = await produceAs(anonymous, topic);
    expect(err?.details).toContain(`User:ANONYMOUS may not WRITE TOPIC "${topic}"`);
    expect(err?.details).toContain('no client certificate the cluster verified and no bearer token');
  });

  it('a certificate that is expired or from another CA is no principal: ANONYMOUS, with no rights, told why', async () => {
    const topic = uniqueName('badcert');
    await createTopic(topic);
    // Even with an ACL for its name: the name of an unverified certificate is never taken.
    await addAcls(allow('User:mallory', 'TOPIC', topic, 'WRITE'));
    const otherCa = await LocalCa.openOrCreate(tempDir('authz-other-ca'), 'Some other CA');
    const foreign = await otherCa.issue('mallory', { outDir: tempDir('authz-foreign') });
    const expired = await ca.issue('mallory', { days: -1, outDir: tempDir('authz-expired') });
    const caPem = readFileSync(ca.caCert);
    for (const files of [foreign, expired]) {
      const creds = grpc.credentials.createSsl(caPem, readFileSync(files.key), readFileSync(files.cert));
      const { err } = await produceAs(creds, topic);
      expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(err?.details).toContain(`User:ANONYMOUS may not WRITE TOPIC "${topic}"`);
      expect(err?.details).toContain('an expired certificate or one from another CA counts as none');
    }
  });

  it('a client without a certificate cannot pass for a service with the plaintext claim header', async () => {
    const anonymous = grpc.credentials.createSsl(readFileSync(ca.caCert));
    const metadata = new grpc.Metadata();
    metadata.set(SERVICE_IDENTITY_HEADER, 'coordinator/1');
    const internal = await outcome((cb) =>
      keep(controller(anonymous)).createInternalTopic(
        { name: '__consumer_offsets', partitions: 1, replicationFactor: 1 },
        metadata,
        opts(),
        cb,
      ),
    );
    expect(internal.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(internal.err?.details).toContain('User:ANONYMOUS is not one');
    metadata.set(SERVICE_IDENTITY_HEADER, 'broker/1');
    const replicate = await replicateStatus(keep(replicationClient(cluster!.bootstrap, undefined, anonymous)), metadata);
    expect(replicate.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(replicate.details).toContain('User:ANONYMOUS is not one');
  });
});

describe.runIf(tls)('bearer tokens', () => {
  const withToken = (token: string): grpc.ChannelCredentials =>
    grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(readFileSync(ca.caCert)),
      grpc.credentials.createFromMetadataGenerator((_params, cb) => {
        const md = new grpc.Metadata();
        md.set('authorization', `Bearer ${token}`);
        cb(null, md);
      }),
    );
  const signingKey = () => readFileSync(cluster!.tokenKeys!.privateKey, 'utf8');
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

  it("a valid token is its subject: User:<sub>, with that principal's ACLs", async () => {
    const topic = uniqueName('tok');
    await createTopic(topic);
    await addAcls(allow('User:dave', 'TOPIC', topic, 'WRITE'));
    const dave = withToken(signToken(signingKey(), { sub: 'dave', exp: inAnHour() }));
    await eventually(async () => (await produceAs(dave, topic)).err === undefined, 'dave may write with his token');
    const other = uniqueName('tok-other');
    await createTopic(other);
    expect((await produceAs(dave, other)).err?.details).toContain(`User:dave may not WRITE TOPIC "${other}"`);
  });

  it('an expired token, or one signed by another key, is refused UNAUTHENTICATED', async () => {
    const topic = uniqueName('tok-bad');
    await createTopic(topic);
    const expired = await produceAs(withToken(signToken(signingKey(), { sub: 'dave', exp: Math.floor(Date.now() / 1000) - 3600 })), topic);
    expect(expired.err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(expired.err?.details).toMatch(/expired at/);
    const { generateKeyPairSync } = await import('node:crypto');
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await produceAs(withToken(signToken(foreign, { sub: 'samsa-cli', exp: inAnHour() })), topic);
    expect(forged.err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(forged.err?.details).toMatch(/signature does not verify/);
  });
});

describe.runIf(tls)('quotas', () => {
  it('a producer over its quota is throttled to the rate, told how long, and loses nothing', async () => {
    const topic = uniqueName('quota');
    await createTopic(topic);
    const rate = 100_000; // bytes per second
    const erin = await credentialsOf('erin');
    await addAcls(allow('User:erin', 'TOPIC', topic, 'WRITE'), allow('User:erin', 'TOPIC', topic, 'READ'));
    const set = await outcome((cb) =>
      keep(controller()).alterQuotas({ set: [{ entity: { user: 'User:erin' }, limits: { produceBytesPerSecond: rate } }] }, opts(), cb),
    );
    expect(set.err).toBeUndefined();
    const described = await outcome<v1.DescribeQuotasResponse__Output>((cb) => keep(controller()).describeQuotas({}, opts(), cb));
    expect(described.res?.quotas).toContainEqual(expect.objectContaining({ entity: { user: 'User:erin', clientId: '' } }));
    const client = keep(broker(erin));
    await eventually(async () => (await produceAs(erin, topic, 'warm-up')).err === undefined, 'erin may write');
    // Let the first throttle show up: the quota reaches the broker through its watch.
    await eventually(async () => {
      const r = await outcome<v1.ProduceResponse__Output>((cb) =>
        client.produce({ topic, acks: 'ACKS_ALL', ...record('x'.repeat(60_000)) }, opts(), cb),
      );
      return (r.res?.throttleTimeMs ?? 0) > 0;
    }, 'the quota applies');

    // Now 30 requests of 20 KB, one at a time as a Kafka producer with one in flight: 600 KB at 100 KB/s.
    const size = 20_000;
    const count = 30;
    let throttled = 0;
    let trailerTotal = 0;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const res = await new Promise<v1.ProduceResponse__Output>((resolve, reject) => {
        const call = client.produce(
          { topic, acks: 'ACKS_ALL', records: [{ value: Buffer.alloc(size, i % 256), key: Buffer.from(`k${i}`) }] },
          opts(),
          (err, r) => (err ? reject(err) : resolve(r!)),
        );
        call.on('status', (s) => (trailerTotal += Number(s.metadata.get(THROTTLE_TRAILER)[0] ?? 0)));
      });
      throttled += res.throttleTimeMs;
    }
    const elapsedMs = performance.now() - started;
    const bytes = size * count;
    // The broker held every answer back by what it reported, and the trailer says the same.
    expect(trailerTotal).toBe(throttled);
    // Measured rate within the quota: one second's burst is the most it may run ahead (a load on
    // the machine only makes the run slower, never faster).
    expect(bytes / (elapsedMs / 1000)).toBeLessThanOrEqual((rate * bytes) / (bytes - rate * BURST_SECONDS));
    // The reported throttle accounts for the excess: the bytes beyond what the time not spent
    // throttled allowed.
    expect(throttled).toBeGreaterThanOrEqual(((bytes - rate * BURST_SECONDS) / rate) * 1000 - (elapsedMs - throttled));
    expect(throttled).toBeLessThanOrEqual(elapsedMs);
    // Nothing lost: every record is there, in order.
    const fetched = await outcome<v1.FetchResponse__Output>((cb) =>
      keep(broker()).fetch({ topic, partition: 0, offset: 0, maxBytes: 64 * 1024 * 1024, format: 'RECORD_FORMAT_STRUCTURED' }, opts(), cb),
    );
    const ours = (fetched.res?.records ?? []).filter((r) => r.key?.toString().startsWith('k'));
    expect(ours.map((r) => r.key?.toString())).toEqual(Array.from({ length: count }, (_, i) => `k${i}`));
    expect(ours.every((r, i) => r.value.length === size && r.value[0] === i % 256)).toBe(true);
  });
});

// Each case runs the CLI as a subprocess 6-10 times; on a loaded 2-core machine one start of the
// CLI took up to 18 s (load 34), so these cases get the time cli-output.test.ts gives its own.
describe.runIf(tls)('the samsa CLI: acls, quotas, tokens', { timeout: 300_000 }, () => {
  const samsa = (args: string[], env?: Record<string, string>) => runCli(['--bootstrap', cluster!.bootstrap, ...args], env ? { env } : {});
  const json = async <T>(args: string[], env?: Record<string, string>): Promise<T> => {
    const res = await samsa([...args, '-o', 'json'], env);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as T;
  };

  it('acls add lets a principal without rights produce; acls list shows the binding; acls remove denies again', async () => {
    const topic = uniqueName('cli-acl');
    await createTopic(topic);
    const frank = await credentialsOf('frank');
    expect((await produceAs(frank, topic)).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    const binding = {
      principal: 'User:frank',
      permission: 'ALLOW',
      operation: 'WRITE',
      resourceType: 'TOPIC',
      resourceName: topic,
      patternType: 'LITERAL',
      host: '*',
    };
    expect(await json(['acls', 'add', '--allow', '--principal', 'User:frank', '--operation', 'write', '--topic', topic])).toEqual({
      added: [binding],
    });
    await eventually(async () => (await produceAs(frank, topic)).err === undefined, 'frank may write after `samsa acls add`');
    expect(await json(['acls', 'list', '--principal', 'User:frank'])).toEqual({ acls: [binding] });
    // --match: every binding that applies to the topic (other tests' `*` ones too).
    expect((await json<{ acls: unknown[] }>(['acls', 'list', '--topic', topic, '--match'])).acls).toContainEqual(binding);
    const text = await samsa(['acls', 'list', '--principal', 'User:frank']);
    expect(text.stdout).toMatch(/PRINCIPAL\s+PERMISSION\s+OPERATION/);
    expect(text.stdout).toMatch(new RegExp(`User:frank\\s+ALLOW\\s+WRITE\\s+TOPIC\\s+${topic}\\s+LITERAL`));
    expect(await json(['acls', 'remove', '--principal', 'User:frank', '--topic', topic])).toEqual({ removed: [binding] });
    await eventually(
      async () => (await produceAs(frank, topic)).err?.code === grpc.status.PERMISSION_DENIED,
      'frank may no longer write after `samsa acls remove`',
    );
    expect(await json(['acls', 'list', '--principal', 'User:frank'])).toEqual({ acls: [] });
    // Bad usage is exit 2 and says what is missing, before the cluster is asked.
    const bad = await samsa(['acls', 'add', '--allow', '--operation', 'WRITE', '--topic', topic]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('acls add needs --principal');
    const noPrincipal = await samsa(['acls', 'remove']);
    expect(noPrincipal.code).toBe(2);
  });

  it('a quota set with the CLI is listed back, and removed', async () => {
    const user = `User:${uniqueName('gina')}`;
    expect(await json(['quotas', 'set', '--user', user, '--client', 'reports', '--produce-bytes', '5000', '--requests', '20'])).toEqual({
      quota: { user, clientId: 'reports', produceBytesPerSecond: 5000, fetchBytesPerSecond: 0, requestsPerSecond: 20 },
    });
    const listed = await json<{ quotas: unknown[] }>(['quotas', 'list']);
    expect(listed.quotas).toContainEqual({
      user,
      clientId: 'reports',
      produceBytesPerSecond: 5000,
      fetchBytesPerSecond: 0,
      requestsPerSecond: 20,
    });
    // The controller stored what the CLI said: the RPC sees it too.
    const described = await outcome<v1.DescribeQuotasResponse__Output>((cb) => keep(controller()).describeQuotas({}, opts(), cb));
    expect(described.res?.quotas).toContainEqual(expect.objectContaining({ entity: { user, clientId: 'reports' } }));
    expect(await json(['quotas', 'remove', '--user', user, '--client', 'reports'])).toEqual({ removed: { user, clientId: 'reports' } });
    expect((await json<{ quotas: { user: string | null }[] }>(['quotas', 'list'])).quotas.map((q) => q.user)).not.toContain(user);
    expect((await samsa(['quotas', 'set', '--user', 'gina', '--requests', '1'])).stderr).toContain('--user must be User:NAME');
  });

  it('a token issued by `samsa tokens issue` is accepted by a broker, for the CLI and for a plain gRPC client', async () => {
    const topic = uniqueName('cli-token');
    await createTopic(topic);
    const subject = uniqueName('hank');
    const issued = await json<{ token: string; principal: string; expiresAt: string }>([
      'tokens',
      'issue',
      '--subject',
      subject,
      '--ttl',
      '10m',
      '--key',
      cluster!.tokenKeys!.privateKey,
    ]);
    expect(issued.principal).toBe(`User:${subject}`);
    expect(Date.parse(issued.expiresAt)).toBeGreaterThan(Date.now());
    await json([
      'acls',
      'add',
      '--allow',
      '--principal',
      `User:${subject}`,
      '--operation',
      'WRITE',
      '--operation',
      'READ',
      '--topic',
      topic,
    ]);
    const withToken = grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(readFileSync(ca.caCert)),
      grpc.credentials.createFromMetadataGenerator((_params, cb) => {
        const md = new grpc.Metadata();
        md.set('authorization', `Bearer ${issued.token}`);
        cb(null, md);
      }),
    );
    await eventually(
      async () => (await outcome((cb) => keep(broker(withToken)).fetch({ topic, partition: 0, offset: 0 }, opts(), cb))).err === undefined,
      'the ACLs of the token principal apply',
    );
    // The CLI with only the CA and the token: no client certificate at all.
    const tokenOnly = { SAMSA_TLS_CERT: '', SAMSA_TLS_KEY: '', SAMSA_TOKEN: issued.token };
    const produced = await runCli(['--bootstrap', cluster!.bootstrap, 'produce', topic], { env: tokenOnly, input: 'by-token\n' });
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await runCli(
      ['--bootstrap', cluster!.bootstrap, '--token', issued.token, 'consume', topic, '--offset', 'earliest', '--max-messages', '1'],
      { env: { SAMSA_TLS_CERT: '', SAMSA_TLS_KEY: '' } },
    );
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim()).toBe('by-token');
    // A plain gRPC client with the same token: its principal is the subject, refused elsewhere.
    expect((await produceAs(withToken, topic)).err).toBeUndefined();
    const other = uniqueName('cli-token-other');
    await createTopic(other);
    expect((await produceAs(withToken, other)).err?.details).toContain(`User:${subject} may not WRITE TOPIC "${other}"`);
    // A token signed by a key the cluster does not trust is refused, and never falls back to the certificate.
    const { generateKeyPairSync } = await import('node:crypto');
    const foreignKey = join(certDir, 'foreign-token.key');
    writeFileSync(foreignKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    const forged = (await samsa(['tokens', 'issue', '--subject', 'samsa-cli', '--key', foreignKey])).stdout.trim();
    const refused = await samsa(['--token', forged, 'topics', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/signature does not verify/);
  });
});

describe.runIf(tls)('open streams follow ACL changes and token expiry', () => {
  /** A Consume stream from offset 0: the values it delivered, and its end. */
  function openConsume(credentials: grpc.ChannelCredentials, topic: string) {
    const values: string[] = [];
    const call = keep(broker(credentials)).consume({ topic, partition: 0, start: { offset: 0 }, format: 'RECORD_FORMAT_STRUCTURED' });
    const ended = new Promise<grpc.StatusObject>((resolve) => {
      call.on('status', resolve);
      call.on('error', () => undefined);
    });
    call.on('data', (res: v1.ConsumeResponse__Output) => values.push(...res.records.map((r) => r.value.toString())));
    return { values, ended, call };
  }
  const produceValues = async (topic: string, values: string[]) => {
    for (const v of values) expect((await produceAs(undefined, topic, v)).err).toBeUndefined();
  };
  const fetchAs = (credentials: grpc.ChannelCredentials, topic: string) =>
    outcome((cb) => keep(broker(credentials)).fetch({ topic, partition: 0, offset: 0 }, opts(), cb));

  it('removing the ACL ends an open Consume stream PERMISSION_DENIED: nothing produced after the broker applied it is delivered', async () => {
    const topic = uniqueName('revoke');
    await createTopic(topic);
    const ivan = await credentialsOf('ivan');
    await addAcls(allow('User:ivan', 'TOPIC', topic, 'READ'));
    await eventually(async () => (await fetchAs(ivan, topic)).err === undefined, 'ivan may read');
    const stream = openConsume(ivan, topic);
    const before = Array.from({ length: 5 }, (_, i) => `before-${i}`);
    await produceValues(topic, before);
    await eventually(() => Promise.resolve(stream.values.length === before.length), 'the stream delivers what was produced');

    const removed = await runCli(['--bootstrap', cluster!.bootstrap, 'acls', 'remove', '--principal', 'User:ivan', '--topic', topic]);
    expect(removed.code, removed.stderr).toBe(0);
    // The broker has applied the removal once a new call of ivan's is refused there; the stream
    // was re-checked in the same step, so it can deliver nothing produced from here on.
    await eventually(async () => (await fetchAs(ivan, topic)).err?.code === grpc.status.PERMISSION_DENIED, 'the broker applied it');
    await produceValues(
      topic,
      Array.from({ length: 5 }, (_, i) => `after-${i}`),
    );
    const status = await stream.ended;
    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.metadata.get(REASON_TRAILER)[0]).toBe('AUTHORIZATION_FAILED');
    expect(status.details).toContain(`User:ivan may not READ TOPIC "${topic}"`);
    expect(status.details).toContain('the ACLs changed while this stream was open');
    expect(stream.values).toEqual(before);
    // An audit line names the cut.
    const log = readFileSync(join(cluster!.dir, 'logs', 'broker-1.log'), 'utf8');
    expect(log).toMatch(/"audit":true,"event":"denied","principal":"User:ivan".*the ACLs changed while this stream was open/);
  });

  it('removing the group ACL ends an open GroupConsume member stream PERMISSION_DENIED', async () => {
    const topic = uniqueName('revoke-group');
    const group = uniqueName('g-revoke');
    await createTopic(topic);
    const lena = await credentialsOf('lena');
    await addAcls(allow('User:lena', 'TOPIC', topic, 'READ'), allow('User:lena', 'GROUP', group, 'READ'));
    const coordinator = () => keep(coordinatorClient(cluster!.coordinators[0]!.address, undefined, lena));
    const findCoordinator = () => outcome((cb) => coordinator().findCoordinator({ groupId: group }, opts(), cb));
    await eventually(async () => (await findCoordinator()).err === undefined, 'lena may use her group');
    const member = coordinator().groupConsume();
    const values: string[] = [];
    let assigned = false;
    const ended = new Promise<grpc.StatusObject>((resolve) => {
      member.on('status', resolve);
      member.on('error', () => undefined);
    });
    member.on('data', (res: v1.GroupConsumeResponse__Output) => {
      if (res.assignment) assigned = true;
      for (const r of res.records?.records ?? []) values.push(r.value.toString());
    });
    member.write({ join: { groupId: group, topics: [topic], reset: 'OFFSET_POSITION_EARLIEST' } });
    await produceValues(topic, ['first']);
    await eventually(() => Promise.resolve(assigned && values.length === 1), 'the member is assigned and gets the record');

    const deleted = await outcome<v1.DeleteAclsResponse__Output>((cb) =>
      keep(controller()).deleteAcls({ filters: [{ principal: 'User:lena', resourceName: group }] }, opts(), cb),
    );
    expect(deleted.res?.deleted.length).toBe(1);
    await eventually(async () => (await findCoordinator()).err?.code === grpc.status.PERMISSION_DENIED, 'the coordinator applied it');
    await produceValues(topic, ['after']);
    const status = await ended;
    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.details).toContain(`User:lena may not READ GROUP "${group}"`);
    expect(status.details).toContain('the ACLs changed while this stream was open');
    expect(values).toEqual(['first']);
  });

  it('an ACL change that leaves the stream allowed does not end it', async () => {
    const topic = uniqueName('keep');
    await createTopic(topic);
    const kate = await credentialsOf('kate');
    await addAcls(allow('User:kate', 'TOPIC', topic, 'READ'), allow('User:kate', 'TOPIC', `${topic}-other`, 'READ'));
    await eventually(async () => (await fetchAs(kate, topic)).err === undefined, 'kate may read');
    const stream = openConsume(kate, topic);
    await produceValues(topic, ['one']);
    await eventually(() => Promise.resolve(stream.values.length === 1), 'first record');
    const removed = await runCli([
      '--bootstrap',
      cluster!.bootstrap,
      'acls',
      'remove',
      '--principal',
      'User:kate',
      '--topic',
      `${topic}-other`,
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    await eventually(
      async () => (await fetchAs(kate, `${topic}-other`)).err?.code === grpc.status.PERMISSION_DENIED,
      'the broker applied the removal of the other ACL',
    );
    await produceValues(topic, ['two']);
    await eventually(() => Promise.resolve(stream.values.length === 2), 'the stream goes on');
    stream.call.cancel();
    expect((await stream.ended).code).toBe(grpc.status.CANCELLED);
  });

  it('a stream opened with a bearer token ends UNAUTHENTICATED when the token expires', async () => {
    const topic = uniqueName('tok-stream');
    await createTopic(topic);
    const subject = uniqueName('judy');
    await addAcls(allow(`User:${subject}`, 'TOPIC', topic, 'READ'));
    const key = readFileSync(cluster!.tokenKeys!.privateKey, 'utf8');
    const bearer = (token: string) =>
      grpc.credentials.combineChannelCredentials(
        grpc.credentials.createSsl(readFileSync(ca.caCert)),
        grpc.credentials.createFromMetadataGenerator((_params, cb) => {
          const md = new grpc.Metadata();
          md.set('authorization', `Bearer ${token}`);
          cb(null, md);
        }),
      );
    const now = () => Math.floor(Date.now() / 1000);
    await eventually(
      async () => (await fetchAs(bearer(signToken(key, { sub: subject, exp: now() + 600 })), topic)).err === undefined,
      'the ACL applies',
    );
    // exp already passed but within the 30 s of clock skew tolerated: accepted now, refused
    // from exp + 30 s, when the stream must end too.
    const exp = now() - LEEWAY_SECONDS + 8;
    const stream = openConsume(bearer(signToken(key, { sub: subject, exp })), topic);
    await produceValues(topic, ['while-valid']);
    await eventually(() => Promise.resolve(stream.values.length === 1), 'the stream delivers while the token is valid');
    const status = await stream.ended;
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.metadata.get(REASON_TRAILER)[0]).toBe('AUTHENTICATION_FAILED');
    expect(status.details).toContain(`it expired at ${new Date(exp * 1000).toISOString()} while this stream was open`);
  }, 60_000);
});

describe.runIf(tls)('with ACL checks off (SAMSA_AUTHORIZATION=none)', () => {
  it('a client must still authenticate: without a certificate or token it is refused UNAUTHENTICATED', async () => {
    const metadata = (credentials: grpc.ChannelCredentials) =>
      outcome((cb) => keep(brokerClient(withoutAcls!.bootstrap, undefined, credentials)).getMetadata({ topics: [] }, opts(), cb));
    const anonymous = await metadata(grpc.credentials.createSsl(readFileSync(ca.caCert)));
    expect(anonymous.err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(anonymous.err?.details).toContain('this cluster checks no ACLs (SAMSA_AUTHORIZATION=none), so every client must authenticate');
    // Any verified certificate may do anything but the service-only RPCs.
    expect((await metadata(bob!)).err).toBeUndefined();
  });
});

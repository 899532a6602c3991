/**
 * Transport security through real processes (issue 14 items 1-2, the certificate half): every
 * listener serves TLS and asks for a client certificate signed by the cluster's CA; a client
 * without one, with one from another CA, or with an expired one fails the handshake; a valid one
 * works and is the call's principal; a service with no certificate refuses to start; a replaced
 * certificate is served to new connections without a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it, afterAll } from 'vitest';
import { brokerClient, checkHealth, createServer, bindServer, shutdownServer, deadlineIn } from '../../libs/rpc/index.js';
import { ServiceProcess, freePort, waitUntil } from '../../tools/launcher/index.js';
import {
  LocalCa,
  clientTlsCredentials,
  principalOf,
  transportSecurity,
  type CertificatePaths,
  type Principal,
} from '../../libs/security/index.js';
import { createLogger } from '../../libs/telemetry/index.js';
import { sharedTestCa, startCluster, tempDir, TEST_SECURITY } from '../harness/cluster.js';

const tls = TEST_SECURITY === 'tls';
// Client certificates required (the default is optional, for bearer tokens; authorization.test.ts
// covers that mode): here a client the cluster cannot authenticate fails the handshake.
const cluster = tls
  ? await startCluster({
      name: 'security',
      brokers: 1,
      controllers: 1,
      env: { SAMSA_TLS_RELOAD_MS: '200', SAMSA_TLS_CLIENT_AUTH: 'required' },
    })
  : undefined;
const ca = await sharedTestCa();
const otherCa = await LocalCa.openOrCreate(tempDir('other-ca'), 'Some other CA');
const certDir = tempDir('certs');
const logger = createLogger('security-test', '1', 'warn');

/** getMetadata with `credentials`; resolves to the error (or undefined when it worked). */
async function metadataWith(credentials: grpc.ChannelCredentials): Promise<grpc.ServiceError | undefined> {
  const client = brokerClient(cluster!.bootstrap, undefined, credentials);
  return new Promise((resolve) => {
    client.getMetadata({ topics: [] }, { deadline: deadlineIn(5_000) }, (err) => {
      client.close();
      resolve(err ?? undefined);
    });
  });
}

function pem(paths: CertificatePaths): { ca: Buffer; cert: Buffer; key: Buffer } {
  return { ca: readFileSync(paths.ca), cert: readFileSync(paths.cert), key: readFileSync(paths.key) };
}

/** The certificate a new TLS connection to `address` is served (no client certificate needed to see it). */
function servedCertificate(address: string): Promise<PeerCertificate> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve(cert);
    });
    socket.once('error', reject);
  });
}

describe.runIf(tls)('a TLS cluster refuses clients it cannot authenticate', () => {
  it('a plaintext client is refused', async () => {
    const err = await metadataWith(grpc.credentials.createInsecure());
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('a client with no certificate fails the handshake', async () => {
    const err = await metadataWith(grpc.credentials.createSsl(readFileSync(ca.caCert)));
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    // What the client is told: the server's TLS alert, by name.
    expect(err?.details).toMatch(/certificate required/);
    expect(err?.details).toMatch(/certificate|socket|TLS|secure/i);
  });

  it('a certificate from another CA fails the handshake', async () => {
    const foreign = await otherCa.issue('mallory', { outDir: certDir });
    // Mallory trusts our CA (to get past her own check of the server) but is signed by hers.
    const err = await metadataWith(
      grpc.credentials.createSsl(readFileSync(ca.caCert), readFileSync(foreign.key), readFileSync(foreign.cert)),
    );
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('an expired certificate fails the handshake', async () => {
    const expired = await ca.issue('expired-client', { days: -1, outDir: certDir });
    const err = await metadataWith(clientTlsCredentials(expired));
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('a certificate signed by the cluster CA works', async () => {
    const ok = await ca.issue('alice', { outDir: certDir });
    expect(await metadataWith(clientTlsCredentials(ok))).toBeUndefined();
    expect(await checkHealth(cluster!.bootstrap, '', 5_000, clientTlsCredentials(ok))).toBe('SERVING');
  });

  it('a service without a certificate refuses to start, and says why', async () => {
    const dir = tempDir('no-tls');
    const broker = new ServiceProcess({
      kind: 'broker',
      id: 9,
      host: '127.0.0.1',
      port: await freePort('127.0.0.1'),
      etcdEndpoint: cluster!.etcd.endpoint,
      clusterId: cluster!.clusterId,
      dataDir: join(dir, 'data'),
      logFile: join(dir, 'broker-9.log'),
      // The test process's own client settings must not leak into the service.
      env: { SAMSA_TLS_CA: '', SAMSA_TLS_CERT: '', SAMSA_TLS_KEY: '', SAMSA_INSECURE: '0' },
    });
    await expect(broker.start(30_000)).rejects.toThrow(/exited during start/);
    expect(readFileSync(join(dir, 'broker-9.log'), 'utf8')).toContain('TLS is on by default and needs SAMSA_TLS_CA');
  });

  it('a replaced server certificate is served to new connections without a restart', async () => {
    const address = cluster!.bootstrap;
    const before = await servedCertificate(address);
    expect(before.subject.CN).toBe('broker-1');
    const pid = cluster!.broker(1).pid;
    // What an operator does: write a new pair over the files the broker was started with.
    await ca.issue('broker-1', { service: true, replace: true, outDir: join(cluster!.dir, 'tls') });
    await waitUntil(
      async () => (await servedCertificate(address)).serialNumber !== before.serialNumber,
      30_000,
      'the new certificate to be served',
      100,
    );
    expect(cluster!.broker(1).pid).toBe(pid);
    // And the new identity is a working one: a full call over a new connection.
    expect(await metadataWith(clientTlsCredentials(cluster!.clientTls!))).toBeUndefined();
  });
});

describe('the principal of a call is its verified client certificate', () => {
  // A server of our own with the same security as a service, answering with principalOf(call).
  const definition = {
    whoAmI: {
      path: '/samsa.test.Who/WhoAmI',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer): Buffer => b,
      requestDeserialize: (b: Buffer): Buffer => b,
      responseSerialize: (b: Buffer): Buffer => b,
      responseDeserialize: (b: Buffer): Buffer => b,
    },
  } satisfies grpc.ServiceDefinition;
  const WhoClient = grpc.makeGenericClientConstructor(definition, 'Who');

  async function serve(clientAuth: 'required' | 'optional'): Promise<{ address: string; stop: () => Promise<void> }> {
    const identity = await ca.issue('broker-7', { service: true, outDir: certDir });
    const security = transportSecurity(
      { tlsCa: identity.ca, tlsCert: identity.cert, tlsKey: identity.key, tlsClientAuth: clientAuth, tlsReloadMs: 60_000, insecure: false },
      logger,
    );
    const server = createServer();
    server.addService(definition, {
      whoAmI: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
        cb(null, Buffer.from(JSON.stringify(principalOf(call)))),
    });
    const port = await bindServer(server, '127.0.0.1', 0, security.server);
    return {
      address: `127.0.0.1:${port}`,
      stop: async () => {
        await shutdownServer(server, 1_000);
        security.close();
      },
    };
  }

  function whoAmI(address: string, credentials: grpc.ChannelCredentials): Promise<Principal> {
    const client = new WhoClient(address, credentials);
    return new Promise<Principal>((resolve, reject) => {
      client.makeUnaryRequest(
        '/samsa.test.Who/WhoAmI',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        { deadline: deadlineIn(5_000) },
        (err, res) => {
          client.close();
          if (err || !res) reject(err ?? new Error('no answer'));
          else resolve(JSON.parse(res.toString()) as Principal);
        },
      );
    });
  }

  it('a client certificate is User:<CN>; a service certificate is also a service identity', async () => {
    const server = await serve('required');
    afterAll(server.stop);
    const alice = pem(await ca.issue('alice', { outDir: certDir }));
    expect(await whoAmI(server.address, grpc.credentials.createSsl(alice.ca, alice.key, alice.cert))).toEqual({
      name: 'User:alice',
      authenticated: true,
      via: 'certificate',
    });
    // A service's own outgoing channels (mutual TLS with its certificate).
    const coordinator = await ca.issue('coordinator-3', { service: true, outDir: certDir });
    const asService = transportSecurity(
      {
        tlsCa: coordinator.ca,
        tlsCert: coordinator.cert,
        tlsKey: coordinator.key,
        tlsClientAuth: 'required',
        tlsReloadMs: 60_000,
        insecure: false,
      },
      logger,
    );
    afterAll(() => asService.close());
    expect(await whoAmI(server.address, asService.channel)).toEqual({
      name: 'User:coordinator-3',
      authenticated: true,
      via: 'certificate',
      service: { kind: 'coordinator', id: 3 },
    });
  });

  it('a client certificate named like a service but without the service OU is not a service', async () => {
    const server = await serve('required');
    afterAll(server.stop);
    const fake = pem(await ca.issue('broker-2', { outDir: join(certDir, 'fake') }));
    expect(await whoAmI(server.address, grpc.credentials.createSsl(fake.ca, fake.key, fake.cert))).toEqual({
      name: 'User:broker-2',
      authenticated: true,
      via: 'certificate',
    });
  });

  it('with optional client certificates, no certificate or an unverifiable one is ANONYMOUS', async () => {
    const server = await serve('optional');
    afterAll(server.stop);
    const caPem = readFileSync(ca.caCert);
    expect(await whoAmI(server.address, grpc.credentials.createSsl(caPem))).toEqual({
      name: 'User:ANONYMOUS',
      authenticated: false,
      via: 'none',
    });
    const foreign = pem(await otherCa.issue('mallory', { outDir: certDir }));
    expect(await whoAmI(server.address, grpc.credentials.createSsl(caPem, foreign.key, foreign.cert))).toEqual({
      name: 'User:ANONYMOUS',
      authenticated: false,
      via: 'none',
    });
  });
});

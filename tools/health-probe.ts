/**
 * A container health check: `node dist/tools/health-probe.js HOST:PORT` exits 0 when the
 * process at HOST:PORT answers grpc.health.v1 Check with SERVING, 1 otherwise (NOT_SERVING while it
 * joins the cluster or shuts down, or unreachable), printing what it saw. TLS as every Samsa client
 * finds it (SAMSA_TLS_CA/CERT/KEY, SAMSA_INSECURE=1; libs/security client-tls.ts): in a service's
 * container that is the service's own certificate.
 *
 * `health-probe --kafka HOST:PORT` checks the Kafka gateway instead, which has no gRPC server: it
 * exits 0 when a Kafka ApiVersions v0 request (allowed before SASL) is answered without error, over
 * TLS verified with SAMSA_TLS_CA (plaintext with SAMSA_INSECURE=1).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { API_VERSIONS_KEY, FrameSplitter, decodeResponse, encodeRequest } from '../libs/kafka-protocol/index.js';
import { checkHealth } from '../libs/rpc/index.js';
import { clientTlsCredentials, clientTlsFromEnv, type ClientTlsPaths } from '../libs/security/index.js';

const kafka = process.argv[2] === '--kafka';
const address = process.argv[kafka ? 3 : 2];
if (!address) {
  process.stderr.write('usage: health-probe [--kafka] HOST:PORT\n');
  process.exit(2);
}
const tls = clientTlsFromEnv();
if (!tls) {
  process.stderr.write('health-probe: no TLS settings (SAMSA_TLS_CA/CERT/KEY) and not SAMSA_INSECURE=1\n');
  process.exit(2);
}
if (kafka) {
  const ok = await kafkaApiVersions(address, tls, 2000).catch((err: unknown) => {
    process.stdout.write(`${address}: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  });
  if (ok) process.stdout.write(`${address}: ApiVersions answered\n`);
  process.exit(ok ? 0 : 1);
}
const credentials = tls === 'insecure' ? grpc.credentials.createInsecure() : clientTlsCredentials(tls);
const status = await checkHealth(address, '', 2000, credentials);
process.stdout.write(`${address}: ${status}\n`);
process.exit(status === 'SERVING' ? 0 : 1);

/** True when the Kafka listener at `address` answers ApiVersions v0 with error code 0 within `timeoutMs`. */
function kafkaApiVersions(address: string, tls: ClientTlsPaths | 'insecure', timeoutMs: number): Promise<boolean> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  return new Promise<boolean>((resolve, reject) => {
    const socket: Socket =
      tls === 'insecure' ? connect({ host, port }) : tlsConnect({ host, port, ca: readFileSync(tls.ca), servername: 'localhost' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ApiVersions answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const splitter = new FrameSplitter(1024 * 1024);
    socket.once(tls === 'insecure' ? 'connect' : 'secureConnect', () =>
      socket.write(encodeRequest({ apiKey: API_VERSIONS_KEY, apiVersion: 0, correlationId: 1, clientId: 'health-probe' }, {})),
    );
    const fail = (err: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        const frame = splitter.push(chunk)[0];
        if (!frame) return;
        clearTimeout(timer);
        socket.destroy();
        resolve(decodeResponse<{ errorCode: number }>(API_VERSIONS_KEY, 0, frame).body.errorCode === 0);
      } catch (err) {
        fail(err);
      }
    });
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('connection closed before an ApiVersions answer')));
  });
}

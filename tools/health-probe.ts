/**
 * A container health check: `node dist/tools/health-probe.js HOST:PORT` exits 0 when the
 * process at HOST:PORT answers grpc.health.v1 Check with SERVING, 1 otherwise (NOT_SERVING while it
 * joins the cluster or shuts down, or unreachable), printing what it saw. TLS as every Samsa client
 * finds it (SAMSA_TLS_CA/CERT/KEY, SAMSA_INSECURE=1; libs/security client-tls.ts): in a service's
 * container that is the service's own certificate.
 */
import * as grpc from '@grpc/grpc-js';
import { checkHealth } from '../libs/rpc/index.js';
import { clientTlsCredentials, clientTlsFromEnv } from '../libs/security/index.js';

const address = process.argv[2];
if (!address) {
  process.stderr.write('usage: health-probe HOST:PORT\n');
  process.exit(2);
}
const tls = clientTlsFromEnv();
const credentials = tls === 'insecure' ? grpc.credentials.createInsecure() : tls ? clientTlsCredentials(tls) : undefined;
if (!credentials) {
  process.stderr.write('health-probe: no TLS settings (SAMSA_TLS_CA/CERT/KEY) and not SAMSA_INSECURE=1\n');
  process.exit(2);
}
const status = await checkHealth(address, '', 2000, credentials);
process.stdout.write(`${address}: ${status}\n`);
process.exit(status === 'SERVING' ? 0 : 1);

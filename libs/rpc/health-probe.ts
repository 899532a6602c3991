/**
 * A container health check: `node dist/libs/rpc/health-probe.js HOST:PORT` exits 0 when the
 * process at HOST:PORT answers grpc.health.v1 Check with SERVING, 1 otherwise (NOT_SERVING while it
 * joins the cluster or shuts down, or unreachable), printing what it saw.
 */
import { checkHealth } from './health.js';

const address = process.argv[2];
if (!address) {
  process.stderr.write('usage: health-probe HOST:PORT\n');
  process.exit(2);
}
const status = await checkHealth(address, '', 2000);
process.stdout.write(`${address}: ${status}\n`);
process.exit(status === 'SERVING' ? 0 : 1);

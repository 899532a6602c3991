/**
 * Ports for the processes a launcher starts (tests, `npm run bench`, a local cluster on free ports).
 *
 * Asking the kernel for port 0 hands out a port from the ephemeral range, the same range every
 * outgoing connection on the machine takes its local port from; between our closing the probe and
 * the service binding it, one of those connections can take it (a test run opens thousands), and
 * the service dies with EADDRINUSE. So ports are picked at random *below* the ephemeral range
 * (ip_local_port_range), where no outgoing connection lands, checked free by binding them, and never
 * handed out twice by one process.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;
const ATTEMPTS = 200;
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (32768 when it cannot be read, Linux's default). */
export function ephemeralRangeStart(read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): number {
  try {
    const first = Number(read().trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 && first <= 65535 ? first : 32768;
  } catch {
    return 32768;
  }
}

/** A TCP port on `host` that was free a moment ago, below the ephemeral range; see the module comment. */
export async function freePort(host = '127.0.0.1', random: () => number = Math.random): Promise<number> {
  const top = ephemeralRangeStart();
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = LOWEST + Math.floor(random() * (top - LOWEST));
    if (handedOut.has(port) || !(await canBind(host, port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free TCP port on ${host} between ${LOWEST} and ${top} after ${ATTEMPTS} tries`);
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * Where a service listens and where it tells others to reach it: Kafka's listeners and
 * advertised.listeners, for one listener (docs/adr/0032-advertised-listeners.md).
 *
 * --host/SAMSA_HOST is the bind address (0.0.0.0 in a container); --advertise/SAMSA_ADVERTISE
 * HOST:PORT is what goes into etcd (broker and coordinator registrations, the controller's
 * election value) and so into metadata answers. Without it, the bind host and the bound port are
 * advertised, as before. A bind address that no client can dial (0.0.0.0, ::) with no --advertise is
 * refused at start, naming the fix.
 */
import type { Option } from './index.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port`; throws an Error saying what is expected. */
export function parseHostPort(raw: string): HostPort {
  const v = raw.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:\s]+):(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`expected HOST:PORT (e.g. broker1.example.com:9092), got "${raw}"`);
  return { host: m[1] as string, port };
}

/** The --advertise option; undefined when not given. */
export function advertiseOption(): Option<HostPort | undefined> {
  return {
    env: 'SAMSA_ADVERTISE',
    flag: 'advertise',
    default: undefined,
    description:
      'HOST:PORT that clients and other services are told to use (default: --host and the bound port); set it when the bind address is not reachable as is (containers, NAT)',
    show: (v) => (v ? `${v.host}:${v.port}` : '--host:port'),
    parse: parseHostPort,
  };
}

const UNDIALABLE = new Set(['0.0.0.0', '::', '[::]', '']);

/** The address to publish for a server bound to `bindHost:boundPort`. */
export function advertisedAddress(advertise: HostPort | undefined, bindHost: string, boundPort: number): HostPort {
  if (advertise) return advertise;
  if (UNDIALABLE.has(bindHost)) {
    throw new Error(
      `--host ${bindHost || '""'} listens on every interface but is no address a client can dial; set --advertise HOST:PORT (SAMSA_ADVERTISE) to the name clients use`,
    );
  }
  return { host: bindHost, port: boundPort };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

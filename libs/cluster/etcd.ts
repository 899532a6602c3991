/** The one way Samsa connects to etcd. */
import type * as Etcd3Package from 'etcd3';
import type { Etcd3 } from 'etcd3';
import { lazyPackage, systemClock } from '../runtime/index.js';

/** The etcd3 package, loaded on first use: clients of Samsa import libs/cluster for its types and never connect. */
export const etcd3 = lazyPackage<typeof Etcd3Package>('etcd3');

/**
 * A client for `endpoints` ("host:port", http). Unary calls get a 5 s deadline so a dead etcd is
 * an error, not a hang; watch and keepalive streams have none.
 */
export function connectEtcd(endpoints: string[]): Etcd3 {
  return new (etcd3().Etcd3)({
    hosts: endpoints.map((e) => (e.includes('://') ? e : `http://${e}`)),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: systemClock.nowMs() + 5_000 }),
  });
}

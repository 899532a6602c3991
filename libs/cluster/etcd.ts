/** The one way Samsa connects to etcd. */
import { Etcd3 } from 'etcd3';

/**
 * A client for `endpoints` ("host:port", http). Unary calls get a 5 s deadline so a dead etcd is
 * an error, not a hang; watch and keepalive streams have none.
 */
export function connectEtcd(endpoints: string[]): Etcd3 {
  return new Etcd3({
    hosts: endpoints.map((e) => (e.includes('://') ? e : `http://${e}`)),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 5_000 }),
  });
}

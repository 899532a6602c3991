/**
 * A CommonJS package loaded on first use instead of when the importing module loads.
 *
 * Why: libs are imported through their index.ts, so a client of the SDK (or one `samsa --help`)
 * would otherwise evaluate every package any module of those libs uses: etcd3, the OpenTelemetry
 * SDK and its Prometheus exporter, the health and reflection services. Those cost about half a
 * second of start-up and are needed only by the services (or by a client that turned tracing on).
 * Type with `import type * as M from 'pkg'` and `lazyPackage<typeof M>('pkg')`.
 */
import { createRequire } from 'node:module';

const requirePackage = createRequire(import.meta.url);

/** A getter for package `name` that requires it the first time it is called. */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requirePackage(name) as T);
}

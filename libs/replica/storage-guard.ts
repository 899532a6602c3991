/**
 * Storage failures of a replica's log, told apart from everything else.
 *
 * A log whose disk is full, read-only, gone bad or out of descriptors cannot be trusted to hold
 * what it is asked to write: the broker takes that replica offline (ReplicaManager.markOffline),
 * the controller moves its partition to other replicas, and the broker tries it again later. Any
 * other error (a bad request, a fenced epoch, a closed partition) leaves the replica as it is.
 *
 * `guardStorage` wraps a ReplicaLog so that every operation that fails with a storage errno calls
 * `onFailure` once with the original error, and the caller gets STORAGE_ERROR (retriable: the
 * client refreshes metadata and goes to the new leader) instead of a raw errno.
 */
import { SamsaError } from '../errors/index.js';
import type { ReplicaLog } from './replica-log.js';

/** errno codes that mean "this log's storage failed", not "this request was wrong". */
const STORAGE_ERRNOS: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EACCES',
  'EPERM',
  'EMFILE',
  'ENFILE',
  'ENXIO',
  'ENODEV',
]);

/** The storage errno of `err` or of any error in its cause chain, undefined when it has none. */
export function storageErrno(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && STORAGE_ERRNOS.has(code)) return code;
  }
  return undefined;
}

type AsyncMethods = {
  [K in keyof ReplicaLog]-?: ReplicaLog[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof ReplicaLog];

/** The operations that touch the disk; close/abandon/delete are how a failed log is let go, so they are not guarded. */
const GUARDED: readonly AsyncMethods[] = [
  'appendAsLeader',
  'appendAsFollower',
  'truncateTo',
  'truncateFullyAndStartAt',
  'read',
  'offsetForTimestamp',
  'applyRetention',
  'cleaningDue',
  'clean',
];

/**
 * `log` with every disk operation guarded (see the module comment). `name` names the replica in
 * the STORAGE_ERROR message. The returned object reads every property of `log` live.
 */
export function guardStorage(log: ReplicaLog, name: string, onFailure: (err: Error) => void): ReplicaLog {
  const guarded = new Map<PropertyKey, unknown>();
  for (const method of GUARDED) {
    const original = log[method] as (...args: unknown[]) => Promise<unknown>;
    guarded.set(method, async (...args: unknown[]) => {
      try {
        return await original.apply(log, args);
      } catch (err) {
        const code = storageErrno(err);
        if (code === undefined) throw err;
        const cause = err instanceof Error ? err : new Error(String(err));
        onFailure(cause);
        throw new SamsaError(
          'STORAGE_ERROR',
          `${name}: storage failed (${code}: ${cause.message}); the replica is offline on this broker and its partition moves to another replica`,
          { cause },
        );
      }
    });
  }
  // Bound once per method: a bind per access allocated on every getter-heavy exchange (4 % of an
  // idle 3,000-partition broker's samples were this trap, docs/benchmarks.md "Scale").
  const bound = new Map<PropertyKey, { of: unknown; fn: unknown }>();
  return new Proxy(log, {
    get(target, prop) {
      if (guarded.has(prop)) return guarded.get(prop);
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      const cached = bound.get(prop);
      if (cached?.of === value) return cached.fn;
      const fn = (value as (...a: unknown[]) => unknown).bind(target);
      bound.set(prop, { of: value, fn });
      return fn;
    },
  });
}

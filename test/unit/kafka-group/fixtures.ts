/**
 * What the classic-group tests (classic-group.test.ts, classic-groups.test.ts) share: a JoinGroup
 * request's options, and a look at whether a promise has settled yet.
 */
import type { JoinOptions } from '../../../libs/kafka-group/index.js';

/** A JoinGroup from a kcat-like client with one 'range' protocol; `over` replaces any field. */
export function joinOptions(memberId = '', over: Partial<JoinOptions> = {}): JoinOptions {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'kcat',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    ...over,
  };
}

// Taken at import, before a test installs vitest's fake timers (which fake setImmediate too):
// whether a promise has settled must not depend on the fake clock.
const realSetImmediate = globalThis.setImmediate;

/** The promise's value if it has settled once every pending microtask ran, else undefined. */
export async function settled<T>(p: Promise<T>): Promise<T | undefined> {
  let value: T | undefined;
  void p.then((v) => (value = v));
  await new Promise((r) => realSetImmediate(r));
  return value;
}

/**
 * Lease keep-alives off the main thread (libs/cluster/lease-keeper.ts, ADR 0057), through a real
 * etcd: a registration survives a main-thread stall of 3 x its TTL (and, kept on the main thread
 * as before, does not), a stall past the stall limit still ends it, etcd ending it is still
 * learned, and a process killed with -9 or stopped with SIGSTOP still loses it one TTL later.
 *
 * The stalls are Atomics.wait on this test's own main thread: nothing of it runs meanwhile, as
 * in a broker busy for seconds in one synchronous stretch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectEtcd,
  IN_THREAD_KEEPING,
  LeaseKeeper,
  Membership,
  MembershipOwner,
  MetadataKeys,
  type LeaseKeeping,
} from '../../libs/cluster/index.js';
import { createLogger } from '../../libs/telemetry/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startEtcd, uniqueName } from '../harness/cluster.js';

const TTL = 3;
const etcdProcess = await startEtcd('lease-keeper');
const etcd = connectEtcd([etcdProcess.endpoint]);
const logger = createLogger('lease-keeper-test', 'test', 'silent');
const keepers: LeaseKeeper[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const k of keepers) await k.close();
  etcd.close();
});

async function keeper(stallLimitMs: number, onStallRevoked?: () => void): Promise<LeaseKeeper> {
  const k = await LeaseKeeper.start({
    endpoints: [etcdProcess.endpoint],
    stallLimitMs,
    logger,
    ...(onStallRevoked ? { onStallRevoked } : {}),
  });
  keepers.push(k);
  return k;
}

/** Blocks this thread (timers, I/O, everything on it) for `ms`. */
function stallMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Lets the event loop run what piled up during a stall (timers, worker messages, etcd answers). */
const settle = (ms = 1_500): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The lease and the revision that wrote `key`, or undefined when it is gone. */
async function registration(key: string): Promise<{ lease: string; modRevision: string } | undefined> {
  const kv = (await etcd.get(key).exec()).kvs[0];
  return kv ? { lease: String(kv.lease), modRevision: String(kv.mod_revision) } : undefined;
}

async function joined(keeping: LeaseKeeping): Promise<{ key: string; membership: Membership; lost: string[] }> {
  const key = new MetadataKeys(uniqueName('lk')).broker(1);
  const membership = await Membership.join(etcd, key, 'member', TTL, logger, { keeping });
  const lost: string[] = [];
  membership.onLost((err) => lost.push(err.message));
  return { key, membership, lost };
}

describe('a main-thread stall of 3 x the TTL', () => {
  it('kept off the main thread, the registration survives it: same lease, same write, nothing lost', async () => {
    const { key, membership, lost } = await joined(await keeper(15_000));
    try {
      const before = await registration(key);
      stallMainThread(3 * TTL * 1_000);
      expect(await registration(key)).toEqual(before);
      await settle();
      expect(lost).toEqual([]);
      const ttl = await etcd.leaseClient.leaseTimeToLive({ ID: before?.lease ?? '0' });
      expect(Number(ttl.TTL)).toBeGreaterThan(0);
    } finally {
      await membership.leave();
    }
    expect(await registration(key)).toBeUndefined();
  });

  it('kept on the main thread (as before ADR 0057), the registration is lost: the lease expired in etcd', async () => {
    const { key, membership, lost } = await joined(IN_THREAD_KEEPING);
    try {
      stallMainThread(3 * TTL * 1_000);
      expect(await registration(key)).toBeUndefined();
      await waitUntil(() => lost.length > 0, 10_000, 'the membership to report its lease lost');
    } finally {
      await membership.leave();
    }
  });
});

describe('what still ends the lease', () => {
  it('a stall past the stall limit: the keep-alive thread revokes the lease; the owner learns it and registers again', async () => {
    let stallRevocations = 0;
    const keeping = await keeper(2 * TTL * 1_000, () => stallRevocations++);
    const keys = new MetadataKeys(uniqueName('lk'));
    const epochs: (number | undefined)[] = [];
    const owner = new MembershipOwner(
      etcd,
      keys,
      { id: 1, host: '127.0.0.1', port: 1, rack: '', startedAtMs: 1, cleanStart: true },
      TTL,
      logger,
      (epoch) => epochs.push(epoch),
      keeping,
    );
    await owner.join();
    try {
      const first = epochs[0];
      expect(first).toBeGreaterThan(0);
      const lease = (await registration(keys.broker(1)))?.lease;
      // Past the limit (6 s) but well inside 3 x TTL + the limit: gone by revocation, not by expiry.
      const stalledAt = Date.now();
      stallMainThread(2 * TTL * 1_000 + 2_000);
      const ttl = await etcd.leaseClient.leaseTimeToLive({ ID: lease ?? '0' });
      expect(Number(ttl.TTL)).toBe(-1);
      await waitUntil(() => epochs.length >= 3, 20_000, 'the broker to lose its registration and register again');
      expect(epochs[1]).toBeUndefined();
      expect(epochs[2]).toBeGreaterThan(first ?? 0);
      expect((await registration(keys.broker(1)))?.lease).not.toBe(lease);
      // Counted once (samsa_lease_stall_revocations_total): the one lease kept then; the new one was not.
      expect(stallRevocations).toBe(1);
      process.stdout.write(`[lease-keeper] stall past the limit: registered again ${Date.now() - stalledAt} ms after the stall began\n`);
    } finally {
      await owner.leave();
    }
  });

  it('etcd ending the lease behind its back is learned, as before', async () => {
    let stallRevocations = 0;
    const { key, membership, lost } = await joined(await keeper(15_000, () => stallRevocations++));
    try {
      const lease = (await registration(key))?.lease ?? '0';
      await etcd.leaseClient.leaseRevoke({ ID: lease });
      await waitUntil(() => lost.length > 0, 10_000, 'the membership to report its lease lost');
      expect(lost[0]).toMatch(/no longer knows the lease|TTL 0/);
      expect(stallRevocations, 'etcd ending it is not a stall').toBe(0);
    } finally {
      await membership.leave();
    }
  });
});

describe('a process that is gone or stopped', () => {
  async function member(nodeArgs: string[] = []): Promise<{ child: ChildProcess; key: string; out: () => string }> {
    const key = new MetadataKeys(uniqueName('lk')).broker(1);
    const script = fileURLToPath(new URL('./fixtures/lease-member.mjs', import.meta.url));
    const child = spawn(process.execPath, [...nodeArgs, script, etcdProcess.endpoint, key, String(TTL), '15000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil(() => out.includes('joined'), 30_000, 'the child process to register');
    expect(await registration(key)).toBeDefined();
    return { child, key, out: () => out };
  }

  it("the keep-alive thread is lean: a small young generation, none of the process's preloads", async () => {
    // Node 20 runs --import preloads in worker threads too unless the worker is given its own execArgv.
    const preload =
      "import { isMainThread } from 'node:worker_threads'; if (!isMainThread) process.stdout.write('preloaded in a worker\\n');";
    const { child, out } = await member(['--import', `data:text/javascript,${encodeURIComponent(preload)}`]);
    try {
      await settle(500);
      expect(out()).toContain('joined');
      expect(out()).not.toContain('preloaded in a worker');
    } finally {
      child.kill('SIGKILL');
    }
    const { worker } = (await keeper(15_000)) as unknown as { worker: Worker };
    expect(worker.resourceLimits?.maxYoungGenerationSizeMb).toBeLessThanOrEqual(2);
  });

  it('the keep-alive thread loads neither the etcd3 client nor grpc-js nor protobufjs (~12 MiB of RSS)', () => {
    // The built worker's static import graph (type imports are gone from the JavaScript).
    const seen = new Set<string>();
    const heavy: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['"](etcd3|@grpc\/grpc-js|@grpc\/proto-loader|protobufjs)['"]/g)) heavy.push(`${file}: ${m[1]}`);
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) visit(resolve(dirname(file), m[1] ?? ''));
    };
    visit(fileURLToPath(new URL('../../dist/libs/cluster/lease-keeper-worker.js', import.meta.url)));
    expect(seen.size).toBeGreaterThan(2);
    expect(heavy).toEqual([]);
  });

  // Generous bounds: etcd checks expiries every 500 ms, and this machine is shared.
  const GONE_WITHIN_MS = TTL * 1_000 + 7_000;

  it('kill -9: the keep-alive thread dies with the process and the registration ends one TTL later', async () => {
    const { child, key } = await member();
    // Still registered well after a TTL while the process lives: the thread keeps it.
    await settle(TTL * 1_000 + 500);
    expect(await registration(key)).toBeDefined();
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await once(child, 'exit');
    await waitUntil(async () => (await registration(key)) === undefined, GONE_WITHIN_MS, 'the killed process to lose its registration');
    process.stdout.write(`[lease-keeper] kill -9: registration gone ${Date.now() - killedAt} ms after the kill (TTL ${TTL} s)\n`);
  });

  it('SIGSTOP: the keep-alive thread stops with the process and the registration ends one TTL later', async () => {
    const { child, key } = await member();
    child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      await waitUntil(async () => (await registration(key)) === undefined, GONE_WITHIN_MS, 'the stopped process to lose its registration');
      process.stdout.write(`[lease-keeper] SIGSTOP: registration gone ${Date.now() - stoppedAt} ms after the stop (TTL ${TTL} s)\n`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/**
 * libs/cluster PrefixMirror against a real etcd: the snapshot holds exactly the prefix's keys at
 * one revision, every later put and delete under the prefix follows in revision order and nothing
 * outside it, and a closed mirror calls no handler. (ClusterView and SecurityView are built on it;
 * controller.test.ts and authorization.test.ts exercise them through real services.)
 */
import type { IKeyValue } from 'etcd3';
import { afterAll, describe, expect, it } from 'vitest';
import { connectEtcd, PrefixMirror } from '../../libs/cluster/index.js';
import { createLogger } from '../../libs/telemetry/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startEtcd, uniqueName } from '../harness/cluster.js';

const etcdProcess = await startEtcd('prefix-mirror');
const etcd = connectEtcd([etcdProcess.endpoint]);
afterAll(() => etcd.close());
const logger = createLogger('prefix-mirror-test', '1', 'warn');

describe('PrefixMirror', () => {
  it('a snapshot of the prefix, then its changes in order, then nothing once closed', async () => {
    const root = `/${uniqueName('mirror')}`;
    await etcd.put(`${root}/a/1`).value('one');
    await etcd.put(`${root}/a/2`).value('two');
    await etcd.put(`${root}/b/1`).value('not mirrored');
    const snapshots: { keys: string[]; revision: string }[] = [];
    const changes: string[] = [];
    const record = (kv: IKeyValue, deleted: boolean) => changes.push(`${deleted ? 'delete' : 'put'} ${kv.key.toString()}`);
    const mirror = await PrefixMirror.start({
      etcd,
      prefix: `${root}/a/`,
      logger,
      what: 'a test prefix',
      handlers: {
        snapshot: (kvs, revision) => snapshots.push({ keys: kvs.map((kv) => kv.key.toString()).sort(), revision }),
        change: record,
      },
    });
    expect(snapshots.map((s) => s.keys)).toEqual([[`${root}/a/1`, `${root}/a/2`]]);
    const snapshotRevision = BigInt(snapshots[0]!.revision);
    const written = await etcd.put(`${root}/a/3`).value('three').exec();
    expect(BigInt(written.header.revision)).toBeGreaterThan(snapshotRevision);
    await etcd.put(`${root}/b/2`).value('not mirrored');
    await etcd.delete().key(`${root}/a/1`);
    await etcd.put(`${root}/a/2`).value('two again');
    await waitUntil(() => Promise.resolve(changes.length === 3), 10_000, 'three changes');
    expect(changes).toEqual([`put ${root}/a/3`, `delete ${root}/a/1`, `put ${root}/a/2`]);

    await mirror.close();
    await etcd.put(`${root}/a/4`).value('after close');
    // A second mirror sees the write, the closed one never did.
    const later = await PrefixMirror.start({
      etcd,
      prefix: `${root}/a/`,
      logger,
      what: 'a test prefix',
      handlers: { snapshot: (kvs) => snapshots.push({ keys: kvs.map((kv) => kv.key.toString()).sort(), revision: '' }), change: () => {} },
    });
    await later.close();
    expect(snapshots[1]?.keys).toEqual([`${root}/a/2`, `${root}/a/3`, `${root}/a/4`]);
    expect(changes).toHaveLength(3);
  });

  it('reads a snapshot larger than one gRPC message (4 MiB) in pages, all at one revision', async () => {
    const root = `/${uniqueName('paged')}`;
    // 60 values of 100 KiB: 6 MiB under the prefix, which one range read cannot return.
    const big = 'x'.repeat(100 * 1024);
    for (let i = 0; i < 60; i++) await etcd.put(`${root}/k/${String(i).padStart(2, '0')}`).value(big);
    // Its own client: the refused read opens that client's circuit breaker for a while.
    const other = connectEtcd([etcdProcess.endpoint]);
    await expect(other.getAll().prefix(`${root}/k/`).strings()).rejects.toThrow(/larger than max|RESOURCE_EXHAUSTED/i);
    other.close();

    const pagedKeys: string[] = [];
    let pagedRevision = '';
    const changes: string[] = [];
    const mirror = await PrefixMirror.start({
      etcd,
      prefix: `${root}/k/`,
      logger,
      what: 'a large prefix',
      pageSize: 7,
      handlers: {
        snapshot: (kvs, revision) => {
          pagedKeys.push(...kvs.map((kv) => kv.key.toString()));
          pagedRevision = revision;
        },
        change: (kv) => changes.push(kv.key.toString()),
      },
    });
    expect(pagedKeys).toEqual(Array.from({ length: 60 }, (_, i) => `${root}/k/${String(i).padStart(2, '0')}`));
    // The watch starts right after the snapshot's revision: the next write is the first change.
    const written = await etcd.put(`${root}/k/60`).value('small').exec();
    expect(BigInt(written.header.revision)).toBe(BigInt(pagedRevision) + 1n);
    await waitUntil(() => Promise.resolve(changes.length === 1), 10_000, 'the change after the snapshot');
    expect(changes).toEqual([`${root}/k/60`]);
    await mirror.close();
    await etcd.delete().prefix(`${root}/`);
  });
});

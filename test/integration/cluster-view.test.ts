/**
 * libs/cluster ClusterView.confirmTopic against a real etcd: a server's view follows etcd through a
 * watch and can trail a write a client has already seen acknowledged (a topic created or grown a
 * moment ago). Before a broker or the controller answers "no such topic" or "no such partition" it
 * asks etcd; a topic etcd has is waited for, one etcd has not is refused. The write is made by
 * another process with this process's event loop blocked (execFileSync), so the view has not seen
 * it when asked: the lag the test needs is certain, not a race.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterView, connectEtcd, DEFAULT_TOPIC_CONFIG, MetadataKeys, type TopicRecord } from '../../libs/cluster/index.js';
import { createLogger } from '../../libs/telemetry/index.js';
import { startEtcd, uniqueName } from '../harness/cluster.js';

const etcdProcess = await startEtcd('cluster-view');
const etcd = connectEtcd([etcdProcess.endpoint]);
afterAll(() => etcd.close());
const logger = createLogger('cluster-view-test', '1', 'warn');

/** Puts key=value through etcd's HTTP gateway from a child process, blocking this event loop meanwhile. */
function putFromAnotherProcess(key: string, value: string): void {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const script = `const r = await fetch(process.argv[1], { method: 'POST', body: process.argv[2] }); if (!r.ok) { console.error(await r.text()); process.exit(1); }`;
  execFileSync(process.execPath, [
    '--input-type=module',
    '-e',
    script,
    `http://${etcdProcess.endpoint}/v3/kv/put`,
    JSON.stringify({ key: b64(key), value: b64(value) }),
  ]);
}

const record = (name: string, partitions: number): TopicRecord => ({
  name,
  topicId: `${name}-id-${partitions}`,
  partitions,
  replicationFactor: 1,
  config: DEFAULT_TOPIC_CONFIG,
  createdAtMs: 0,
});

describe('ClusterView.confirmTopic', () => {
  it('a topic etcd has but the view has not seen yet is waited for; grown partitions too; an unknown topic is undefined', async () => {
    const keys = new MetadataKeys(uniqueName('view'));
    const view = await ClusterView.start(etcd, keys, logger);
    try {
      putFromAnotherProcess(keys.topic('fresh'), JSON.stringify(record('fresh', 2)));
      // The event loop has not run since the write: the view cannot have it.
      expect(view.topic('fresh')).toBeUndefined();
      expect((await view.confirmTopic('fresh'))?.topicId).toBe('fresh-id-2');

      putFromAnotherProcess(keys.topic('fresh'), JSON.stringify(record('fresh', 5)));
      expect(view.topic('fresh')?.partitions).toBe(2);
      // Partition 4 is out of range in the view: confirmed against etcd, where the topic has 5.
      expect((await view.confirmTopic('fresh', 4))?.partitions).toBe(5);
      // Out of range in etcd too: the topic as it is, for the caller to refuse the partition.
      expect((await view.confirmTopic('fresh', 9))?.partitions).toBe(5);

      expect(await view.confirmTopic('never-created')).toBeUndefined();
    } finally {
      await view.close();
    }
  });
});

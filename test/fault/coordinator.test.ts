/**
 * A deposed group coordinator woken after its successor took over (issue 15, docs/adr/0029),
 * through real processes: etcd, a controller, three brokers, two coordinators, and a commit load
 * through the SDK (one commit at a time, offsets growing, following the group wherever it goes).
 * The group's owner is SIGSTOPped and a commit is sent to it (it waits, unread, in its socket);
 * its lease ends, the other coordinator takes the group over (its fence batch carries a higher
 * writer epoch) and serves the load's commits; then SIGCONT. The test asserts:
 * - the late commit is not acknowledged (NOT_COORDINATOR), and the old owner stops serving the group;
 * - in the group's __consumer_offsets partition (read from a copy of the leader's files) no record
 *   written by an earlier owner follows the newest owner's fence record;
 * - the committed offsets read back as the load wrote them: per partition the last acknowledged
 *   commit, or a later one whose answer was lost, never the late write; and the same again after
 *   kill -9 of the new owner, when the old one loads the group back.
 * Which way the woken owner goes is a race, and both ways satisfy the checks. It may append the
 * commit it finds waiting, and the brokers refuse it (INVALID_PRODUCER_EPOCH: "epoch 2 has written
 * since"). Or its own lease timer (etcd3's Lease checks its TTL locally) fires first, it releases
 * the group, and it appends nothing. In session 5 the brokers refused the append in 1 run of 3
 * (the run on the landed tree). The summary line says which way it went. Without the broker fence,
 * the first way stores the late commit after the new owner's fence, and the log check fails. The
 * refusal is also tested deterministically in test/unit/group/coordinator.test.ts, over the
 * brokers' real ProducerStateTable.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import { hasReason, SamsaError } from '../../libs/errors/index.js';
import { FENCE_HEADER, OFFSETS_TOPIC, groupPartition } from '../../libs/group/index.js';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../../libs/log/index.js';
import { decodeRecordsFrom } from '../../libs/record/index.js';
import { partitionDirName } from '../../libs/replica/index.js';
import type { v1 } from '../../libs/rpc/index.js';
import { waitUntil, type ServiceProcess } from '../../tools/launcher/index.js';
import { FaultCluster } from './harness/fault-cluster.js';

afterAll(() => FaultCluster.stopAll());

const PARTITIONS = 4;
const LATE_OFFSET = 999_999;

interface StoredRecord {
  offset: number;
  key: string;
  /** The writer's fencing token: a fence record's own, or the one an offset record carries. */
  fence: number | undefined;
  isFence: boolean;
}

/** Every record of one __consumer_offsets partition, read from a copy of a replica's files. */
async function storedRecords(dataDir: string, partition: number): Promise<StoredRecord[]> {
  const copy = mkdtempSync(join(tmpdir(), 'samsa-offsets-copy-'));
  try {
    cpSync(join(dataDir, partitionDirName(OFFSETS_TOPIC, partition)), join(copy, 'p'), { recursive: true });
    const log = await PartitionLog.open(join(copy, 'p'), { ...DEFAULT_LOG_CONFIG, fsync: { mode: 'never', intervalMs: 1000 } });
    const out: StoredRecord[] = [];
    let next = log.logStartOffset;
    while (next < log.logEndOffset) {
      const r = await log.read(next, 1 << 20);
      if (r.bytes.length === 0) break;
      for (const rec of decodeRecordsFrom(r.bytes, next)) {
        const key = rec.key?.toString('utf8') ?? '';
        const value = rec.value ? (JSON.parse(rec.value.toString('utf8')) as { fence?: number }) : undefined;
        const header = rec.headers.find((h) => h.key === FENCE_HEADER);
        const fence = value?.fence ?? (header ? Number(header.value.toString('utf8')) : undefined);
        out.push({ offset: rec.offset, key, fence, isFence: key.startsWith('fence') });
      }
      next = r.nextOffset;
    }
    await log.close();
    return out;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('group coordinator failover', () => {
  it(
    'a coordinator paused past its lease: its late commit is refused, it steps down, and the offsets read back as the new owner wrote them',
    { timeout: 300_000 },
    async () => {
      const cluster = await FaultCluster.start({ name: 'coordinator-late-write', brokers: 3, coordinators: 2 });
      const topic = 'late-write';
      await cluster.createTopic(topic, PARTITIONS, 1, 1);
      // Short request deadlines: a call to the stopped coordinator costs seconds, then the SDK looks again.
      const samsa = new Samsa({
        bootstrap: cluster.brokerAddresses(),
        requestTimeoutMs: 3_000,
        retry: { retries: 200, initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 60_000 },
      });
      try {
        const groups = samsa.groups();
        const group = 'late-write-group';

        // The commit load: commit i goes to partition i % 4 with offset i.
        const acked = new Map<number, number>();
        const attempted = new Map<number, number[]>();
        let commits = 0;
        let stop = false;
        const load = (async () => {
          for (let i = 1; !stop; i++) {
            const partition = i % PARTITIONS;
            attempted.set(partition, [...(attempted.get(partition) ?? []), i]);
            try {
              await groups.commitOffsets(group, [{ topic, partition, offset: i, metadata: 'load' }]);
              acked.set(partition, i);
              commits++;
            } catch {
              // Unknown outcome: counted in `attempted`, judged at the end.
            }
          }
        })();
        let old: ServiceProcess | undefined;
        let successor: ServiceProcess | undefined;
        let offsetsPartition = -1;
        const say = (what: string): void =>
          void process.stdout.write(`[fault] coordinator-late-write: ${what} (${commits} commits acknowledged)\n`);
        try {
          await waitUntil(() => commits >= 20, 60_000, 'the commit load to be acknowledged');

          const ownerAddress = await groups.findCoordinator(group, true);
          const a = cluster.coordinators.find((c) => c.address === ownerAddress);
          const b = cluster.coordinators.find((c) => c.address !== ownerAddress);
          if (!a || !b) throw new Error(`coordinator ${ownerAddress} is not one of the cluster's`);
          [old, successor] = [a, b];
          offsetsPartition = groupPartition(group, (await cluster.describe(OFFSETS_TOPIC)).length);
          const commitRequest: v1.CommitOffsetsRequest = {
            groupId: group,
            memberId: '',
            generation: -1,
            offsets: [{ topic, partition: 0, offset: LATE_OFFSET, metadata: 'late' }],
          };
          // A channel to the owner, open before it stops, so the late commit only waits to be read.
          await cluster.probe.coordinator(a.address, (c, o, cb) => c.fetchOffsets({ groupId: group, partitions: [] }, o, cb));
          say(`SIGSTOP coordinator ${a.spec.id} (owns the group), then a commit sent to it`);
          a.pause();
          const late = cluster.probe
            .coordinator<v1.CommitOffsetsResponse__Output>(a.address, (c, o, cb) => c.commitOffsets(commitRequest, o, cb), 120_000)
            .then(
              () => undefined,
              (err: unknown) => err,
            );
          const beforeTakeover = commits;
          // The lease ends (3 s), the successor loads the group and serves the load again.
          await waitUntil(
            async () => commits >= beforeTakeover + 10 && (await groups.findCoordinator(group, true).catch(() => '')) === b.address,
            150_000,
            'the other coordinator to take the group over and acknowledge commits',
            200,
          );
          say(`coordinator ${b.spec.id} serves the group; SIGCONT coordinator ${a.spec.id}`);
          a.resume();
          const lateResult = await late;
          expect(lateResult, 'the late commit was acknowledged').toBeInstanceOf(SamsaError);
          expect((lateResult as SamsaError).reason).toBe('NOT_COORDINATOR');
          // The old owner no longer serves the group: it names the successor.
          await waitUntil(
            () =>
              cluster.probe
                .coordinator(a.address, (c, o, cb) => c.fetchOffsets({ groupId: group, partitions: [] }, o, cb))
                .then(
                  () => false,
                  (err: unknown) => hasReason(err, 'NOT_COORDINATOR') && (err as SamsaError).details['coordinator-address'] === b.address,
                ),
            30_000,
            'the woken coordinator to refuse the group, naming its new owner',
            200,
          );
          const oldLog = readFileSync(a.spec.logFile, 'utf8');
          const fenced = oldLog.includes('a newer owner of this __consumer_offsets partition has written');
          process.stdout.write(
            `[fault] coordinator-late-write: late commit answered ${(lateResult as SamsaError).reason}; ` +
              `${fenced ? 'the woken owner appended it and the brokers refused it (INVALID_PRODUCER_EPOCH)' : 'the woken owner learned of its loss before appending'}\n`,
          );

          const more = commits;
          await waitUntil(() => commits >= more + 10, 60_000, 'more commits after the old owner woke');
        } finally {
          stop = true;
          await load;
        }
        if (!old || !successor) throw new Error('no owner found');

        // Read back: per partition, the last acknowledged commit or a later attempt (lost answer).
        const check = (offsets: readonly { partition: number; offset: number }[]): void => {
          for (let p = 0; p < PARTITIONS; p++) {
            const got = offsets.find((o) => o.partition === p)?.offset;
            const last = acked.get(p) as number;
            expect(got, `partition ${p}`).not.toBe(LATE_OFFSET);
            expect(
              got === last || (attempted.get(p) ?? []).some((a) => a > last && a === got),
              `partition ${p}: ${got} vs acked ${last}`,
            ).toBe(true);
          }
        };
        const served = await groups.fetchOffsets(group);
        check(served);

        // The log: nothing written by an earlier owner after the newest owner's fence record.
        const view = await cluster.partition(OFFSETS_TOPIC, offsetsPartition);
        const records = await storedRecords(cluster.dataDir(view.leaderId), offsetsPartition);
        const fences = records.filter((r) => r.isFence);
        const newest = fences.reduce((a, b) => ((b.fence ?? 0) > (a.fence ?? 0) ? b : a));
        const stale = records.filter((r) => !r.isFence && r.offset > newest.offset && (r.fence ?? 0) < (newest.fence ?? 0));
        expect(fences.length).toBeGreaterThanOrEqual(2);
        expect(stale, 'records of a deposed owner after the new owner fenced').toEqual([]);

        // Fail back: kill -9 the new owner; the old one loads the group and serves the same offsets.
        say(`kill -9 coordinator ${successor.spec.id}`);
        await successor.kill9();
        let after: { partition: number; offset: number }[] = [];
        await waitUntil(
          async () => {
            const address = await groups.findCoordinator(group, true).catch(() => '');
            if (address !== old.address) return false;
            after = await groups.fetchOffsets(group).catch(() => []);
            return after.length === PARTITIONS;
          },
          60_000,
          'the old owner to load the group back',
          300,
        );
        expect(after.map((o) => [o.partition, o.offset])).toEqual(served.map((o) => [o.partition, o.offset]));
      } finally {
        await samsa.close();
      }
    },
  );
});

/**
 * When a ReplicaManager opens its replicas' files (ADR 0051: lazily hosted replicas open on first
 * use): how many at once.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { PartitionLog } from '../../../libs/log/index.js';
import { ReplicaManager } from '../../../libs/replica/index.js';
import { FakeView, silentLogger, tempDir, topicRecord, TEST_INCARNATION } from './helpers.js';

const ME = 1;
const batch = (v: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1 }));

describe('ReplicaManager: opening replicas', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });
  const start = async (view: FakeView, extra: Partial<Parameters<typeof ReplicaManager.start>[0]> = {}): Promise<ReplicaManager> => {
    const tmp = tempDir('opens');
    cleanups.push(() => tmp.remove());
    const manager = await ReplicaManager.start({
      brokerId: ME,
      dataDir: tmp.dir,
      view,
      logger: silentLogger,
      retentionCheckMs: 0,
      checkpointIntervalMs: 0,
      ...extra,
    });
    manager.setIncarnation(TEST_INCARNATION);
    cleanups.push(() => manager.close());
    return manager;
  };

  it('lazily hosted replicas used all at once open their files at most 8 at a time (each open holds descriptors beside the file pool)', async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('many', 40), ME);
    let opening = 0;
    let peak = 0;
    const manager = await start(view, {
      openLog: async (dir, config, logger, hooks) => {
        opening++;
        peak = Math.max(peak, opening);
        try {
          // Long enough for every first use below to have asked for its open meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return await PartitionLog.open(dir, config, { logger, ...hooks });
        } finally {
          opening--;
        }
      },
    });
    const all = manager.partitions();
    expect(all.length).toBe(40);
    expect(all.every((p) => !p.logOpen)).toBe(true);
    await Promise.all(all.map((p) => p.append(batch('x'), { acks: 'leader', minInsyncReplicas: 1 })));
    expect(all.every((p) => p.logOpen && p.logEndOffset === 1)).toBe(true);
    expect(peak, 'logs opening at the same moment').toBe(8);
  });
});

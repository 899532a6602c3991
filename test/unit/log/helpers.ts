import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch, decodeRecordsFrom } from '../../../libs/record/index.js';
import { DEFAULT_LOG_CONFIG, type PartitionLog, type LogConfig } from '../../../libs/log/index.js';
import type { Clock } from '../../../libs/runtime/index.js';

export class FakeClock implements Clock {
  constructor(public now = 1_700_000_000_000) {}
  nowMs(): number {
    return this.now;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

export function tempLogDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-log-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A maker of temp dirs that are all removed after each test of the calling file. */
export function tempDirsPerTest(): () => string {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()?.();
  });
  return () => {
    const t = tempLogDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };
}

/** A batch of `count` records whose values name their batch and index, e.g. "b3-r1". */
export function batchOf(tag: string, count: number, timestampMs = 1000, valueBytes = 20): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${tag}-r${i}-`.padEnd(valueBytes, 'x')),
      timestampMs,
    })),
    { nowMs: timestampMs },
  );
}

export const testConfig = (over: Partial<LogConfig> = {}): LogConfig => ({
  ...DEFAULT_LOG_CONFIG,
  segmentBytes: 1024 * 1024,
  indexIntervalBytes: 256,
  fsync: { mode: 'never', intervalMs: 1000 },
  ...over,
});

/** Every record offset from `from` to the end, reading in steps of `maxBytes`. */
export async function readAllOffsets(log: PartitionLog, from = log.logStartOffset, maxBytes = 1000): Promise<number[]> {
  const out: number[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const r = await log.read(next, maxBytes);
    if (r.bytes.length === 0) break;
    for (const rec of decodeRecordsFrom(r.bytes, next)) out.push(rec.offset);
    next = r.nextOffset;
  }
  return out;
}

/** The offsets of the producer snapshot files in a log directory, oldest first. */
export function snapshotOffsets(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.snapshot'))
    .map((n) => Number(n.slice(0, 20)))
    .sort((x, y) => x - y);
}

/** Per-partition log settings; the broker derives them from the topic config. */
export interface LogConfig {
  /** Roll to a new segment when appending would make the active one larger than this. */
  segmentBytes: number;
  /** Roll when the active segment's first append is older than this. */
  segmentMs: number;
  /** Delete oldest segments while the log is larger than this; -1 = unlimited. */
  retentionBytes: number;
  /** Delete segments whose newest record is older than this; -1 = forever. */
  retentionMs: number;
  /** Bytes of log between two offset-index entries. */
  indexIntervalBytes: number;
  /** When appended data is fsynced; see docs/adr/0002-fsync-policy.md. */
  fsync: { mode: 'always' | 'interval' | 'never'; intervalMs: number };
  /**
   * Kafka's cleanup.policy: `delete` lets retention (retentionMs, retentionBytes) delete old
   * segments; `compact` lets the log cleaner keep only the latest record per key (cleaner.ts).
   * Both may be on ("compact,delete").
   */
  cleanupPolicy: { delete: boolean; compact: boolean };
  /** Compacted logs: a tombstone is kept this long after its batch's timestamp, then removed. */
  deleteRetentionMs: number;
  /** Compacted logs: clean when dirty bytes / (clean + dirty bytes) reaches this. */
  minCleanableDirtyRatio: number;
  /** Compacted logs: a record stays uncompacted at least this long after its batch's timestamp. */
  minCompactionLagMs: number;
  /**
   * Compacted logs: a record is compacted at most about this long after it was written, whatever
   * the dirty ratio (and the active segment rolls at this age so that it can be).
   */
  maxCompactionLagMs: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 128 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  fsync: { mode: 'interval', intervalMs: 1000 },
  cleanupPolicy: { delete: true, compact: false },
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
};

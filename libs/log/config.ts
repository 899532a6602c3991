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
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 128 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  fsync: { mode: 'interval', intervalMs: 1000 },
};

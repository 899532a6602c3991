/**
 * Names of the directories a broker keeps under its data dir, built and parsed here and nowhere
 * else.
 *
 *   <dataDir>/<topic>-<partition>/         one partition replica (segments: see libs/log)
 *   <dataDir>/<topic>-<partition>/partition.metadata
 *                                          the topic id this replica belongs to, one JSON line:
 *                                          {"version":1,"topicId":"<uuid>"}; a topic deleted and
 *                                          created again under the same name gets a new id, so a
 *                                          stale directory is recognised and never reused
 *   <dataDir>/clean-shutdown                present only between a clean shutdown and the next
 *                                          start (see BrokerRegistration.cleanStart)
 *   <dataDir>/replica-summaries.json        written by a clean shutdown (replica-summaries.ts)
 *   <dataDir>/recovery-checkpoint.json      the replicas known durable (recovery-checkpoint.ts)
 *
 * Topic names never contain '/' but may contain '-', so a partition dir is parsed at its LAST '-'.
 * Anything that does not parse (dot files, the marker) is not a partition dir.
 */
import { join } from 'node:path';
import { rename } from 'node:fs/promises';
import { readWhole, type FilePool } from '../log/index.js';

/** Topic names per common.proto: 1..249 of [a-zA-Z0-9._-], not "." or "..". */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export const PARTITION_METADATA_FILE = 'partition.metadata';
export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown';

export interface PartitionDirName {
  topic: string;
  partition: number;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export function partitionDir(dataDir: string, topic: string, partition: number): string {
  return join(dataDir, partitionDirName(topic, partition));
}

/** The topic and partition a directory entry names, or undefined when it is not a partition dir. */
export function parsePartitionDirName(name: string): PartitionDirName | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const topic = name.slice(0, dash);
  const digits = name.slice(dash + 1);
  if (!/^(0|[1-9][0-9]{0,9})$/.test(digits)) return undefined;
  const partition = Number(digits);
  if (partition > 2147483647 || !TOPIC_NAME.test(topic) || topic === '.' || topic === '..') return undefined;
  return { topic, partition };
}

/**
 * The topic id stored in a partition dir, or undefined when the file is missing or unreadable.
 * Read through the broker's log-file pool: every replica's open reads it, and many open at once.
 */
export async function readPartitionTopicId(dir: string, files: FilePool): Promise<string | undefined> {
  let text: string;
  try {
    text = (await files.transient(join(dir, PARTITION_METADATA_FILE), 'r', readWhole)).toString('utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { topicId?: unknown }).topicId === 'string') {
      return (parsed as { topicId: string }).topicId;
    }
  } catch {
    // A torn write of this file (crash mid-write) reads as "unknown id"; the caller decides.
  }
  return undefined;
}

/** Writes the topic id of a partition dir atomically (temp file + rename), through the log-file pool. */
export async function writePartitionTopicId(dir: string, topicId: string, files: FilePool): Promise<void> {
  const tmp = join(dir, `${PARTITION_METADATA_FILE}.tmp`);
  await files.transient(tmp, 'w', (fh) => fh.writeFile(JSON.stringify({ version: 1, topicId }) + '\n'));
  await rename(tmp, join(dir, PARTITION_METADATA_FILE));
}

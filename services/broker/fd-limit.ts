/**
 * The broker's file-descriptor limit, read and raised at start.
 *
 * Node has no setrlimit, so the soft RLIMIT_NOFILE is raised to the hard limit by util-linux's
 * `prlimit --pid <pid> --nofile=<hard>:<hard>`, and the result is read back from
 * /proc/self/limits (the line "Max open files  <soft>  <hard>  files"). When that fails (no
 * prlimit, not Linux, a sandbox that forbids it) the broker logs why and goes on with what it has:
 * the log file pool (libs/log/file-pool.ts) is sized from the limit actually in force, so the
 * broker stays inside it either way.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FilePool, PartitionLog, TailCache } from '../../libs/log/index.js';
import type { OpenLog } from '../../libs/replica/index.js';
import type { Logger } from '../../libs/telemetry/index.js';

export interface OpenFilesLimit {
  /** 'unlimited' is reported as Infinity. */
  soft: number;
  hard: number;
}

/** The "Max open files" limits in the text of /proc/<pid>/limits, or undefined if absent. */
export function parseOpenFilesLimit(procLimits: string): OpenFilesLimit | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(procLimits);
  if (!m) return undefined;
  const num = (v: string): number => (v === 'unlimited' ? Infinity : Number(v));
  const soft = num(m[1] as string);
  const hard = num(m[2] as string);
  return Number.isNaN(soft) || Number.isNaN(hard) ? undefined : { soft, hard };
}

/**
 * What the log and replica code opens outside the log-file pool, and why it may: each is bounded
 * by something other than the number of partitions, so the reserve below covers it. Everything else
 * there (segments and indexes, checkpoints and snapshots, topic-id files, clean-shutdown markers,
 * directory listings and fsyncs, the write probe) goes through the pool. test/unit/lint/descriptors.test.ts
 * keeps this list and the code in step.
 */
export const OUTSIDE_THE_LOG_FILE_POOL: readonly { file: string; calls: readonly string[]; atOnce: number; why: string }[] = [
  { file: 'libs/log/file-pool.ts', calls: ['open', 'readdir'], atOnce: 0, why: 'the pool itself: each of these holds a slot' },
  {
    file: 'libs/log/partition-log.ts',
    calls: ['rm'],
    atOnce: 1,
    why: "delete() lists a moved-off replica's directory while removing it; the reconcile deletes one replica at a time",
  },
  {
    file: 'libs/replica/lazy-log.ts',
    calls: ['rm'],
    atOnce: 0,
    why: 'the same deletion for a replica never opened (never beside the one above)',
  },
  {
    file: 'libs/replica/replica-manager.ts',
    calls: ['readdir', 'rm', 'writeFile'],
    atOnce: 8,
    why:
      'the data dir listed at start and stale directories removed then, before any log opens; an earlier topic of the same name ' +
      "removed inside an open (opens run OPEN_CONCURRENCY = 8 at a time); the broker's clean-shutdown marker, after every log closed",
  },
  {
    file: 'libs/replica/replica-summaries.ts',
    calls: ['readFile', 'writeFile', 'open'],
    atOnce: 1,
    why: "the shutdown summaries (read at start before any log opens, written after every log closed) and the recovery checkpoint's durable write: one file at a time, one write at a time",
  },
  { file: 'libs/replica/recovery-checkpoint.ts', calls: ['readFile'], atOnce: 0, why: 'read once at start, before any log opens' },
];

/**
 * Descriptors not given to the log pool: sockets (clients, peers, etcd), the runtime's own (~20:
 * stdio, epoll, eventfds, pipes, the worker threads') and the few files opened outside the pool
 * (OUTSIDE_THE_LOG_FILE_POOL: about 10 at once at worst). A quarter of the limit, at least 128.
 */
export function reservedDescriptors(softLimit: number): number {
  return Math.max(128, Math.floor(softLimit / 4));
}

/**
 * How many log files the pool may hold: the configured budget, lowered to fit under the soft limit
 * after the reserve; never below 16 (a pool that small only churns, but it works).
 */
export function logFileBudget(configured: number, softLimit: number): number {
  if (!Number.isFinite(softLimit)) return configured;
  return Math.max(16, Math.min(configured, softLimit - reservedDescriptors(softLimit)));
}

export interface RaiseResult {
  before: OpenFilesLimit | undefined;
  after: OpenFilesLimit | undefined;
  /** Why the soft limit could not be raised (undefined when it was, or already was at the hard limit). */
  problem?: string;
}

export interface RaiseDeps {
  readLimits(): Promise<string>;
  runPrlimit(args: readonly string[]): Promise<void>;
  pid: number;
}

const realDeps: RaiseDeps = {
  readLimits: () => readFile('/proc/self/limits', 'utf8'),
  runPrlimit: (args) =>
    new Promise((resolve, reject) => {
      execFile('prlimit', [...args], { timeout: 5000 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(stderr.trim() || err.message));
        else resolve();
      });
    }),
  pid: process.pid,
};

/** Raises this process's soft open-files limit to its hard limit; never throws. */
export async function raiseOpenFilesLimit(deps: RaiseDeps = realDeps): Promise<RaiseResult> {
  let before: OpenFilesLimit | undefined;
  try {
    before = parseOpenFilesLimit(await deps.readLimits());
  } catch (err) {
    return { before: undefined, after: undefined, problem: `cannot read the open-files limit: ${(err as Error).message}` };
  }
  if (!before) return { before, after: before, problem: 'no "Max open files" line in /proc/self/limits' };
  if (before.soft >= before.hard) return { before, after: before };
  const hard = Number.isFinite(before.hard) ? String(before.hard) : 'unlimited';
  try {
    await deps.runPrlimit([`--pid=${deps.pid}`, `--nofile=${hard}:${hard}`]);
  } catch (err) {
    return { before, after: before, problem: `prlimit failed: ${(err as Error).message}` };
  }
  let after: OpenFilesLimit | undefined;
  try {
    after = parseOpenFilesLimit(await deps.readLimits());
  } catch {
    after = undefined;
  }
  if (!after || after.soft < before.hard)
    return { before, after: after ?? before, problem: 'prlimit ran but the soft limit did not change' };
  return { before, after };
}

/**
 * At broker start: raises the open-files limit, logs what it got (or why it could not), and makes
 * the broker's one log file pool sized to fit under the limit in force, and its one tail cache of
 * `tailCacheBytes` (SAMSA_TAIL_CACHE_BYTES). Returns the pool, the cache (for its metrics) and the
 * `openLog` the ReplicaManager opens every partition log with.
 */
export async function logFilePoolForBroker(
  configured: number,
  tailCacheBytes: number,
  logger: Logger,
  deps?: RaiseDeps,
): Promise<{ files: FilePool; tailCache: TailCache; openLog: OpenLog }> {
  const raised = await raiseOpenFilesLimit(deps);
  const soft = raised.after?.soft ?? Infinity;
  const budget = logFileBudget(configured, soft);
  const facts = { before: raised.before, after: raised.after, logFileBudget: budget, configuredLogFileBudget: configured };
  if (raised.problem)
    logger.warn({ ...facts, problem: raised.problem }, 'could not raise the open-files limit; going on with the current one');
  else logger.info(facts, 'open-files limit');
  if (budget < configured) logger.warn(facts, 'log file budget lowered to fit under the open-files limit (SAMSA_MAX_OPEN_LOG_FILES)');
  const files = new FilePool(budget);
  // One budget for the latest appended bytes of every log on this broker (libs/log/tail-cache.ts).
  const tailCache = new TailCache(tailCacheBytes);
  return {
    files,
    tailCache,
    openLog: (dir, config, log, hooks) => PartitionLog.open(dir, config, { logger: log, files, tailCache, ...hooks }),
  };
}

/**
 * Whether a broker's V8 collects garbage on its main thread only (`--single-threaded-gc`) or with
 * helper threads (V8's default: parallel scavenges, concurrent marking and sweeping), ADR 0060. A
 * broker's GC is driven by grpc-js' fresh buffer per produce request (ADR 0059); on a machine with
 * few cores that also runs the other processes of a cluster, the helper threads compete with them
 * for the same cores, and the CPU they spend per GB is more than the main thread would spend doing
 * the same work itself (docs/benchmarks.md, thirteenth session).
 *
 * Unlike the heap growing factor (heap-growth.ts), this flag cannot be set from inside the process:
 * after `v8.setFlagsFromString('--single-threaded-gc')` V8 aborts at the next full GC (cppgc's
 * concurrent marker was set up at start). So whatever starts a broker puts it on the node command
 * line: the local launcher (tools/launcher, `npm start`, tests, benchmarks) by this rule; the image
 * and compose files by their own command. An operator's own GC threading flag wins.
 */
import { availableParallelism } from 'node:os';

export const GC_THREADS_MODES = ['auto', 'single', 'parallel'] as const;
export type GcThreads = (typeof GC_THREADS_MODES)[number];

/** V8's own parallel GC: single-threaded costs ~30 MiB of broker RSS (ADR 0060's amendment). */
export const DEFAULT_GC_THREADS: GcThreads = 'parallel';

/** `auto` turns single-threaded GC on up to this many cores (what was measured: 2; ADR 0060). */
export const SINGLE_THREADED_GC_MAX_CORES = 2;

export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';

/** V8 flags by which an operator already chose how a process's GC uses threads. */
const GC_THREADING_FLAG =
  /^--(no[-_]?)?(single[-_]threaded([-_]gc)?|concurrent[-_](marking|sweeping)|parallel[-_](marking|scavenge|compaction|pointer[-_]update))(=|$)/;

/**
 * The node flags to start a broker with for `mode`, ahead of `nodeArgs` (the caller's own flags):
 * `--single-threaded-gc` for `single`, and for `auto` on a machine of at most
 * SINGLE_THREADED_GC_MAX_CORES cores; none when `nodeArgs` already names a GC threading flag.
 */
export function gcThreadsNodeArgs(mode: GcThreads, nodeArgs: readonly string[] = [], cores: number = availableParallelism()): string[] {
  if (nodeArgs.some((a) => GC_THREADING_FLAG.test(a))) return [];
  const single = mode === 'single' || (mode === 'auto' && cores <= SINGLE_THREADED_GC_MAX_CORES);
  return single ? [SINGLE_THREADED_GC_FLAG] : [];
}

/** Reads a mode (SAMSA_GC_THREADS); throws on anything else. */
export function parseGcThreads(raw: string): GcThreads {
  const v = raw.trim();
  if (!(GC_THREADS_MODES as readonly string[]).includes(v)) throw new Error(`expected one of ${GC_THREADS_MODES.join(', ')}, got "${raw}"`);
  return v as GcThreads;
}

/** How this process's GC runs, as its command line says: `single` when started with `--single-threaded-gc` (or `--single-threaded`). */
export function gcThreadsOfProcess(execArgv: readonly string[] = process.execArgv): 'single' | 'parallel' {
  let single = false;
  for (const a of execArgv) {
    if (/^--single[-_]threaded([-_]gc)?$/.test(a)) single = true;
    else if (/^--no[-_]?single[-_]threaded([-_]gc)?$/.test(a)) single = false;
  }
  return single ? 'single' : 'parallel';
}

/**
 * Why this process's GC is not what `mode` asks, or undefined: a process reads its own setting
 * too late to apply it (module comment), so one started by something other than the launcher with
 * SAMSA_GC_THREADS=single or parallel says so at start. `auto` asks nothing of a process started by hand.
 */
export function gcThreadsMismatch(mode: GcThreads, execArgv: readonly string[] = process.execArgv): string | undefined {
  const actual = gcThreadsOfProcess(execArgv);
  if (mode === 'auto' || mode === actual) return undefined;
  return mode === 'single'
    ? `gc-threads is single, but this process was started without ${SINGLE_THREADED_GC_FLAG}: V8 takes it only on the node command line (npm start passes it; elsewhere add it to the node command)`
    : `gc-threads is parallel, but this process was started with ${SINGLE_THREADED_GC_FLAG}`;
}

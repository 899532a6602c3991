/** Small helpers of the benchmark: repeated runs with median and spread, and bounded waits. */
import { loadavg } from 'node:os';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Samsa } from '../libs/client/index.js';

/** The 1, 5 and 15 minute load averages, as benchmarks print them beside their figures. */
export function loadAverage(digits = 2): string {
  return loadavg()
    .map((l) => l.toFixed(digits))
    .join(' ');
}

/** Median and spread (min..max) of several runs of one figure. */
export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function figure(runs: number[]): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, runs };
}

/** `p`, or a rejection naming `what` after `ms`; the timer is cleared either way. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const abort = new AbortController();
  try {
    return await Promise.race([
      p,
      sleep(ms, undefined, { signal: abort.signal }).then(() => {
        throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      }),
    ]);
  } finally {
    abort.abort();
  }
}

/** Runs `fn` `times` times one after another; a failed run rejects the whole figure. */
export async function repeat<T>(times: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await fn(i));
  return out;
}

/** The resident set size of process `pid` in bytes (Linux /proc), or undefined once it is gone. */
export async function rssOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the RSS of some processes every `everyMs` until stop(), keeping each one's maximum.
 * The sampler owns its timer.
 */
export class RssSampler {
  private readonly max = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: readonly (number | undefined)[],
    private readonly everyMs = 200,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
    return this;
  }

  /** Stops and returns the largest RSS seen of any of the processes, in bytes. */
  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sample();
    return Math.max(0, ...this.max.values());
  }

  private async sample(): Promise<void> {
    for (const pid of this.pids) {
      if (pid === undefined) continue;
      const rss = await rssOf(pid);
      if (rss !== undefined && rss > (this.max.get(pid) ?? 0)) this.max.set(pid, rss);
    }
  }
}

/**
 * CPU-seconds (user + system, every thread) that processes `pids` have used so far, from
 * /proc/<pid>/stat; a process that is gone counts 0. Less disturbed by a loaded machine than
 * throughput: work waiting for a core does not count.
 */
export async function cpuSecondsOf(pids: readonly (number | undefined)[]): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** CPU-seconds (user + system) this process has used so far: the client side of a run. */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** USER_HZ: what /proc counts CPU time in; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/** `fn`'s result and the CPU-seconds `pids` used while it ran. */
export async function withCpu<T>(pids: readonly (number | undefined)[], fn: () => Promise<T>): Promise<{ result: T; cpuSeconds: number }> {
  const before = await cpuSecondsOf(pids);
  const result = await fn();
  return { result, cpuSeconds: (await cpuSecondsOf(pids)) - before };
}

/**
 * One record (acks=1) to each of partitions 0..partitions-1 of `topic`, 500 sends at a time: every
 * replica then has files (bench:scale's and bench:rest's fill).
 */
export async function oneRecordToEveryPartition(samsa: Samsa, topic: string, partitions: number): Promise<void> {
  const filler = samsa.producer({ acks: 1, idempotent: false });
  try {
    for (let p = 0; p < partitions; p += 500)
      await Promise.all(
        Array.from({ length: Math.min(500, partitions - p) }, (_, i) =>
          filler.send({ topic, messages: [{ value: 'x', partition: p + i }] }),
        ),
      );
  } finally {
    await filler.close();
  }
}

/**
 * This process's CPU time (all its threads) and garbage collections over each run given to run():
 * mark-compacts (full GCs: the figure that tells a consuming process's GC state apart, docs/benchmarks.md),
 * scavenges, and their pause time. `last` describes the last run.
 */
export class GcCounter {
  last = '';
  private majors = 0;
  private minors = 0;
  private pauseMs = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.majors++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.minors++;
      this.pauseMs += e.duration;
    }
  });

  /** GC entries arrive asynchronously: those of a run's last moments may be missed. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.majors = this.minors = this.pauseMs = 0;
    const from = process.cpuUsage();
    this.observer.observe({ entryTypes: ['gc'] });
    try {
      return await fn();
    } finally {
      this.observer.disconnect();
      const cpu = process.cpuUsage(from);
      this.last = `client ${((cpu.user + cpu.system) / 1e6).toFixed(2)} CPU-s, GC: ${this.majors} mark-compacts, ${this.minors} scavenges, ${Math.round(this.pauseMs)} ms`;
    }
  }
}

/** GC counts of one service from its /metrics (runtime-metrics.ts' v8js.gc.duration histogram). */
export interface ServiceGc {
  majors: number;
  minors: number;
  pauseSeconds: number;
}

/** A service's GC counts in its /metrics text; zeros where a type has no samples yet. */
export function parseServiceGc(text: string): ServiceGc {
  const count = (type: string): number =>
    Number(new RegExp(`^v8js_gc_duration_seconds_count\\{[^}]*v8js_gc_type="${type}"[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  let pauseSeconds = 0;
  for (const m of text.matchAll(/^v8js_gc_duration_seconds_sum\{[^}]*\} (\S+)/gm)) pauseSeconds += Number(m[1]);
  return { majors: count('major'), minors: count('minor'), pauseSeconds };
}

/** Reads `url`'s GC counts; undefined when the endpoint does not answer (metrics off, process gone). */
export async function serviceGc(url: string | undefined): Promise<ServiceGc | undefined> {
  if (!url) return undefined;
  try {
    return parseServiceGc(await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text());
  } catch {
    return undefined;
  }
}

/** `majors/minors/pause ms` per service between two readings, `?` for one that did not answer. */
export function gcDelta(before: readonly (ServiceGc | undefined)[], after: readonly (ServiceGc | undefined)[]): string {
  return after
    .map((a, i) => {
      const b = before[i];
      return a && b ? `${a.majors - b.majors}/${a.minors - b.minors}/${Math.round((a.pauseSeconds - b.pauseSeconds) * 1000)}` : '?';
    })
    .join(' ');
}

/**
 * The brokers' mark-compacts, scavenges and GC pause time while `fn` runs, for the bench's log:
 * whether a slow run collected more often (docs/benchmarks.md, fifteenth session: per GB it did not).
 */
export async function withServiceGc<T>(urls: readonly (string | undefined)[], fn: () => Promise<T>): Promise<{ result: T; gc: string }> {
  const before = await Promise.all(urls.map(serviceGc));
  const result = await fn();
  const after = await Promise.all(urls.map(serviceGc));
  return { result, gc: `brokers' GC (mark-compacts/scavenges/pause ms): ${gcDelta(before, after)}` };
}

/** `fn` with the CPU-seconds of `pids` (withCpu) and the GC counts of the services at `urls` (withServiceGc) around it. */
export async function measureRun<T>(
  pids: readonly (number | undefined)[],
  urls: readonly (string | undefined)[],
  fn: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number; gc: string }> {
  const { result, gc } = await withServiceGc(urls, () => withCpu(pids, fn));
  return { ...result, gc };
}

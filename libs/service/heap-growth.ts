/**
 * How far V8 lets a service's old generation grow past what the last full GC kept before it marks
 * again (docs/adr/0059-broker-heap-growth.md). A broker takes every produced byte as a fresh
 * external buffer (grpc-js joins each request's frames into one), and V8 counts external memory
 * allocated since the last mark-compact against the old generation's limit. With V8's own factor
 * (~1.75 on a broker's ~31 MB heap) and its rule of starting to mark once less than a young
 * generation's capacity (16 MB) is left, marking started after ~7 MB of produce: a full GC about
 * every 0.7 s per broker at 8 MB/s, most of a broker's GC work (docs/benchmarks.md, tenth session).
 * A fixed factor of 2 (the heap may reach twice what survived, as Go's GOGC=100) leaves ~15 MB.
 *
 * An operator's own `--heap-growing-percent`, on the command line or in NODE_OPTIONS, wins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/** The flags an operator gave this process: its command line, and NODE_OPTIONS (which process.execArgv does not list). */
export function operatorFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  return [...execArgv, ...nodeOptions.split(/\s+/).filter((a) => a !== '')];
}

/**
 * Sets V8's heap growing factor for this process unless `execArgv` already names one; returns the
 * flag it set, or undefined. V8 reads the factor at each full GC, so setting it at start applies.
 */
export function setHeapGrowth(
  percent: number = HEAP_GROWING_PERCENT,
  execArgv: readonly string[] = operatorFlags(),
  set: (flags: string) => void = setFlagsFromString,
): string | undefined {
  if (!Number.isInteger(percent) || percent <= 0) throw new RangeError(`heap growing percent must be a positive integer, got ${percent}`);
  if (execArgv.some((a) => FLAG.test(a))) return undefined;
  const flag = `--heap-growing-percent=${percent}`;
  set(flag);
  return flag;
}

/** `npm run bench`'s rows and the Markdown table it prints for docs/benchmarks.md (bench.ts fills them). */
import { execFileSync } from 'node:child_process';
import type { Figure } from './stats.js';

export type Peer = 'redis' | 'nats';

export interface Row {
  section: string;
  workload: string;
  unit: string;
  samsa: Figure | undefined;
  peers: Partial<Record<Peer, Figure>>;
  /** true when a smaller figure is better (latency, memory). */
  lowerIsBetter?: boolean;
}

/** Whether `binary` is on PATH (a peer that is not is skipped with a note). */
export function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function fmt(f: Figure | undefined, unit: string): string {
  if (!f) return '–';
  const d = unit === 'ms' ? 2 : unit === 'records/s' ? 0 : 1;
  const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  return f.runs.length > 1 ? `${n(f.median)} (${n(f.min)}–${n(f.max)})` : n(f.median);
}

export function ratio(a: Figure | undefined, b: Figure | undefined): string {
  if (!a || !b || !(b.median > 0)) return '–';
  return `${(a.median / b.median).toFixed(2)}`;
}

/** One table, the CPU rows after the speed rows (efficiency below speed), then the notes. */
export function printTables(rows: readonly Row[], notes: readonly string[]): void {
  const out: string[] = [];
  out.push('| workload | unit | Samsa median (min–max) | Redis Streams | Samsa/Redis | NATS JetStream | Samsa/NATS |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of [...rows.filter((x) => x.section !== 'cpu'), ...rows.filter((x) => x.section === 'cpu')]) {
    out.push(
      `| ${r.workload} | ${r.unit}${r.lowerIsBetter ? ' (lower is better)' : ''} | ${fmt(r.samsa, r.unit)} | ${fmt(r.peers.redis, r.unit)} | ${ratio(r.samsa, r.peers.redis)} | ${fmt(r.peers.nats, r.unit)} | ${ratio(r.samsa, r.peers.nats)} |`,
    );
  }
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}`));
  process.stdout.write(out.join('\n') + '\n');
}

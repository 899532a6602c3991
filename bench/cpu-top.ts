/**
 * Summarises V8 CPU profiles (`node --cpu-prof` output, .cpuprofile JSON): the functions with the
 * most self time, and the most total (self + callees) time, as Markdown tables.
 *
 *   node dist/bench/cpu-top.js PROFILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  const where = f.url
    ? `${f.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${f.lineNumber + 1}`
    : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

/** Only the samples taken in [from, to] (monotonic µs, the profile's own time base) when given. */
export function summarise(profile: Profile, top = 25, window?: { from: number; to: number }): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.from || at > window.to)) continue;
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const name = frameName(byId.get(id) as ProfileNode);
    self.set(name, (self.get(name) ?? 0) + us);
    // Each sample counts once per distinct function on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = frameName(byId.get(cur) as ProfileNode);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + us);
    }
  }
  const table = (m: Map<string, number>, title: string): string =>
    [
      `| ${title} | % of samples | ms |`,
      '| --- | --- | --- |',
      ...[...m.entries()]
        .filter(([n]) => !/^\((root|program)\)/.test(n) || title.startsWith('self'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([n, us]) => `| \`${n}\` | ${((100 * us) / total).toFixed(1)} | ${(us / 1000).toFixed(0)} |`),
    ].join('\n');
  return `${(total / 1e6).toFixed(1)} s of samples\n\n${table(self, 'self time')}\n\n${table(inclusive, 'total time')}\n`;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
// --window FROM:TO (monotonic µs, as bench/rest-cpu.ts prints its rest windows): those samples only.
const windowAt = args.indexOf('--window');
const [from, to] = windowAt >= 0 ? (args[windowAt + 1] ?? '').split(':').map(Number) : [];
const window = from !== undefined && to !== undefined ? { from, to } : undefined;
for (const file of args.filter((a, i) => a.endsWith('.cpuprofile') && (topAt < 0 || i !== topAt + 1))) {
  process.stdout.write(`## ${basename(file)}\n\n${summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, top, window)}\n`);
}

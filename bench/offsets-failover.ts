/**
 * `npm run bench:offsets-failover`: how long a new group coordinator takes to load its groups
 * after a real failover (kill -9 of the coordinator process), with the log cleaner compacting
 * `__consumer_offsets` and without it (issue 15, item 3). Real processes: etcd, a controller, one
 * broker, two coordinators (plaintext); the SDK in this process.
 *
 * One invocation measures one mode (SAMSA_BENCH_MODE=compact|none; `none` starts the broker with
 * SAMSA_LOG_CLEANER_DEDUPE_BUFFER_BYTES=0, no cleaning, which is what every cluster had before
 * compaction landed). It commits SAMSA_BENCH_COMMITS offsets to 1,000 groups through the
 * coordinators (CommitOffsets of one group's SAMSA_BENCH_PARTITIONS partitions per call, round
 * robin over the groups, 64 calls in flight), so the offsets of a group are written again and
 * again as a running consumer's are. In `compact` mode it then waits until the cleaner has cleaned
 * every rolled segment of every `__consumer_offsets` partition. Then it kills (SIGKILL) the
 * coordinator that owns the most groups and times:
 *
 *   - load: the survivor's "loaded __consumer_offsets partition" log lines for the partitions it
 *     took over (each line's `ms`, from acquiring the partition to serving it; `replayed`
 *     records), i.e. what compaction bounds;
 *   - unavailable: from the kill to the moment every group of the dead coordinator answers
 *     FetchOffsets again with the offsets committed last (lease expiry, SAMSA_LEASE_TTL_SECONDS=3,
 *     included).
 *
 * Prints one Markdown table row to stdout and the load average; progress to stderr.
 *
 *   SAMSA_BENCH_MODE=compact       compact | none
 *   SAMSA_BENCH_COMMITS=200000     offset records written (commits of one partition each)
 *   SAMSA_BENCH_PARTITIONS=4       partitions per group (and per CommitOffsets call)
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samsa } from '../libs/client/index.js';
import { OFFSETS_TOPIC } from '../libs/group/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { BenchResources } from './lifetime.js';
import { loadAverage } from './stats.js';

const MODE = process.env.SAMSA_BENCH_MODE ?? 'compact';
const COMMITS = Number(process.env.SAMSA_BENCH_COMMITS ?? '200000');
const PARTITIONS = Number(process.env.SAMSA_BENCH_PARTITIONS ?? '4');
const GROUPS = 1_000;
const IN_FLIGHT = 64;
const OFFSETS_PARTITIONS = 4;

const log = (text: string): void => void process.stderr.write(`[bench:offsets-failover] ${text}\n`);
const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface PartitionFiles {
  bytes: number;
  activeBase: number;
  checkpoint: number;
}

/** The .log bytes, the active segment's base offset and the cleaner checkpoint of each partition. */
function offsetsPartitions(dataDir: string): Map<number, PartitionFiles> {
  const out = new Map<number, PartitionFiles>();
  for (const d of readdirSync(dataDir)) {
    if (!d.startsWith(`${OFFSETS_TOPIC}-`)) continue;
    const partition = Number(d.slice(OFFSETS_TOPIC.length + 1));
    const dir = join(dataDir, d);
    let bytes = 0;
    let activeBase = 0;
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.log')) continue;
      bytes += statSync(join(dir, f)).size;
      activeBase = Math.max(activeBase, Number(f.slice(0, -4)));
    }
    let checkpoint = 0;
    try {
      checkpoint = Number(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8').split('\n')[1]);
    } catch {
      // not cleaned yet
    }
    out.set(partition, { bytes, activeBase, checkpoint });
  }
  return out;
}

interface LoadLine {
  partition: number;
  ms: number;
  replayed: number;
  records: number;
  groups: number;
  /** ISO time (libs/telemetry's logger). */
  time: string;
}

function loadLines(logFile: string, since: number): LoadLine[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"loaded __consumer_offsets partition"'))
    .map((l) => JSON.parse(l) as LoadLine)
    .filter((l) => Date.parse(l.time) >= since);
}

async function main(): Promise<void> {
  if (MODE !== 'compact' && MODE !== 'none') throw new Error(`SAMSA_BENCH_MODE must be compact or none, not ${MODE}`);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-offsets-'));
  const owned = new BenchResources();
  owned.stopOnSignals();
  const loadAtStart = loadAverage();
  try {
    log(`mode ${MODE}: starting etcd, a controller, one broker and two coordinators in ${dir} (load ${loadAtStart})`);
    const cluster = owned.own(
      await LocalCluster.start({
        dir,
        brokers: 1,
        coordinators: 2,
        security: 'insecure',
        env: {
          SAMSA_LEASE_TTL_SECONDS: '3',
          SAMSA_OFFSETS_TOPIC_PARTITIONS: String(OFFSETS_PARTITIONS),
          SAMSA_LOG_CLEANER_BACKOFF_MS: '1000',
          ...(MODE === 'none' ? { SAMSA_LOG_CLEANER_DEDUPE_BUFFER_BYTES: '0' } : {}),
        },
      }),
      (c) => c.stop(),
    );
    const broker = cluster.brokers[0];
    if (!broker) throw new Error('no broker');
    const samsa = owned.own(
      new Samsa({
        bootstrap: [broker.address],
        tls: false,
        retry: { retries: 100, initialDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 60_000 },
      }),
      (s) => s.close(),
    );
    const groups = samsa.groups();
    await samsa.admin().createTopic({ name: 'orders', partitions: PARTITIONS, replicationFactor: 1 });

    const calls = Math.ceil(COMMITS / PARTITIONS);
    const fillStarted = performance.now();
    let next = 0;
    let lastReport = fillStarted;
    const worker = async (): Promise<void> => {
      while (next < calls) {
        const c = next++;
        const offsets = Array.from({ length: PARTITIONS }, (_, p) => ({ topic: 'orders', partition: p, offset: c, metadata: '' }));
        await groups.commitOffsets(`group-${c % GROUPS}`, offsets);
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          log(`committed ${num(c * PARTITIONS)} of ${num(COMMITS)} (load ${loadAverage()})`);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    log(`filled: ${num(calls * PARTITIONS)} commits in ${num(fillSeconds, 1)} s (${num((calls * PARTITIONS) / fillSeconds)} commits/s)`);

    if (MODE === 'compact') {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const parts = [...offsetsPartitions(broker.spec.dataDir).values()];
        if (parts.every((p) => p.activeBase === 0 || p.checkpoint >= p.activeBase)) break;
        if (Date.now() > deadline) throw new Error('the cleaner did not clean every rolled segment in 120 s');
        await sleep(500);
      }
      log('every rolled segment of __consumer_offsets is cleaned');
    }
    const files = offsetsPartitions(broker.spec.dataDir);
    const logMB = [...files.values()].reduce((s, p) => s + p.bytes, 0) / 1e6;

    // Who owns which groups: kill the coordinator that owns the most.
    const owners = new Map<string, string[]>();
    for (let g = 0; g < GROUPS; g++) {
      const address = await groups.findCoordinator(`group-${g}`, true);
      owners.set(address, [...(owners.get(address) ?? []), `group-${g}`]);
    }
    const [victimAddress, victimGroups] = [...owners].sort((a, b) => b[1].length - a[1].length)[0] as [string, string[]];
    const victim = cluster.coordinators.find((c) => c.address === victimAddress);
    const survivor = cluster.coordinators.find((c) => c.address !== victimAddress);
    if (!victim || !survivor) throw new Error(`no coordinator at ${victimAddress}`);
    const want = new Map<string, number>();
    for (const g of victimGroups) {
      const last = (await groups.fetchOffsets(g)).map((o) => o.offset);
      want.set(g, Math.max(...last));
    }
    log(`killing ${victim.name} (SIGKILL), which owns ${victimGroups.length} groups; __consumer_offsets holds ${num(logMB, 1)} MB`);
    const killedAt = Date.now();
    await victim.kill9();
    const pending = new Set(victimGroups);
    while (pending.size > 0) {
      if (Date.now() - killedAt > 150_000) throw new Error(`${pending.size} groups still unavailable after 150 s`);
      await Promise.all(
        [...pending].map(async (g) => {
          const got = await groups.fetchOffsets(g).catch(() => undefined);
          if (got && Math.max(...got.map((o) => o.offset)) === want.get(g)) pending.delete(g);
        }),
      );
      if (pending.size > 0) await sleep(50);
    }
    const unavailableMs = Date.now() - killedAt;
    const lines = loadLines(survivor.spec.logFile, killedAt);
    const maxMs = Math.max(...lines.map((l) => l.ms));
    const sumMs = lines.reduce((s, l) => s + l.ms, 0);
    const replayed = lines.reduce((s, l) => s + l.replayed, 0);
    process.stdout.write(
      `mode ${MODE}, ${new Date().toISOString()}, ${cpus().length} cores, node ${process.version}, load at start ${loadAtStart}, at the kill ${loadAverage()}\n` +
        `| ${MODE === 'compact' ? 'compacted' : 'not compacted'} | ${num(calls * PARTITIONS)} commits (${PARTITIONS} per call) to ${num(GROUPS)} groups, ` +
        `filled at ${num((calls * PARTITIONS) / fillSeconds)} commits/s | ${num(logMB, 1)} MB in ${OFFSETS_PARTITIONS} partitions | ` +
        `${lines.length} partitions taken over, ${num(replayed)} records replayed | ${num(maxMs / 1000, 2)} s (longest partition; sum ${num(sumMs / 1000, 2)} s) | ` +
        `${num(unavailableMs / 1000, 2)} s for all ${victimGroups.length} groups |\n`,
    );
  } finally {
    await owned.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`load average at the end ${loadAverage()}; took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

await main();

/**
 * `npm run bench:sim`: N fake brokers against one real etcd (issue 18, part 5), to check the load
 * formulas of docs/scaling.md beyond what one machine's real brokers can show. Each fake broker
 * does in etcd what a real one does and nothing else: its own etcd client (connection), a
 * registration under a lease with keep-alives and the lease watch (libs/cluster Membership),
 * and a watched copy of the whole metadata prefix (libs/cluster PrefixMirror: snapshot, then watch).
 * The keep-alives stay on this thread on purpose (Membership's default, not a LeaseKeeper thread
 * as real brokers have, ADR 0057): a thread per fake broker would be B threads in one process, and
 * one shared thread would send every lease's keep-alives over one connection, where etcd sees one
 * stream per broker. So etcd gets one connection per fake broker (a real broker has two: its main
 * client and its keep-alive thread's), the same keep-alive load per lease, and 'leases lost' counts
 * stalls of this one process's event loop that a real broker's keep-alive thread would ride out:
 * an upper bound.
 * A fake controller writes topics and partition records the way the real one does (transactions
 * of 100 puts for a create, one put per partition for leadership/ISR changes). No logs, no
 * replication, no gRPC between brokers.
 *
 *   SIM_BROKERS               B, default 100
 *   SIM_REPLICAS_PER_BROKER   replicas each broker hosts, default 1,000 (P = B x this / RF partitions)
 *   SIM_RF                    replication factor, default 3
 *   SIM_TTL_SECONDS           lease TTL of the fake brokers, default 10 (the brokers' default)
 *   SIM_START_CONCURRENCY     brokers starting (registering + loading the snapshot) at once, default 10
 *
 * Measures: the create's transactions, revisions and time; etcd db size; every broker starting
 * (registering + loading P keys) and the time that takes; a metadata change reaching all B
 * watchers (p50/p99 of 30 single puts); a broker-bounce storm of 3 x P x RF / B partition writes
 * (docs/scaling.md) written one at a time as the controller does, its write rate and when the last
 * watcher has every event; leases lost meanwhile; etcd CPU seconds and RSS. The watchers share this
 * one Node process, so delivery times include its own queueing: an upper bound for real brokers,
 * each with its own process. Prints one Markdown table. Run under the shared bench lock.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Membership, MetadataKeys, PrefixMirror, type PartitionState } from '../libs/cluster/index.js';
import { createLogger } from '../libs/telemetry/index.js';
import { EtcdProcess } from '../tools/launcher/index.js';
import { exitIfCleanupHangs } from './lifetime.js';
import { loadAverage } from './stats.js';

const B = Number(process.env.SIM_BROKERS ?? '100');
const PER_BROKER = Number(process.env.SIM_REPLICAS_PER_BROKER ?? '1000');
const RF = Number(process.env.SIM_RF ?? '3');
const TTL = Number(process.env.SIM_TTL_SECONDS ?? '10');
const START_CONCURRENCY = Number(process.env.SIM_START_CONCURRENCY ?? '10');
const P = Math.floor((B * PER_BROKER) / RF);
const TXN_OPS = 100;

const log = (t: string): void => void process.stderr.write(`[sim] ${t}\n`);
const rows: [string, string, string][] = [];
const put = (what: string, value: string, how: string): void => {
  rows.push([what, value, how]);
  log(`${what}: ${value}`);
};
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}
function procStat(pid: number | undefined): { cpuS: number; rssMiB: number } {
  if (pid === undefined) return { cpuS: 0, rssMiB: 0 };
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuS: (Number(f[11]) + Number(f[12])) / 100, rssMiB: (Number(f[21]) * 4096) / 2 ** 20 };
}

/** One fake broker: a client, a registration under a lease, a watched copy of the metadata. */
class FakeBroker {
  readonly etcd: Etcd3;
  membership: Membership | undefined;
  mirror: PrefixMirror | undefined;
  keysLoaded = 0;
  events = 0;
  lost = 0;
  /** Called with each key that changes (the measurements hook in here). */
  onKey: (key: string) => void = () => undefined;

  constructor(
    readonly id: number,
    endpoint: string,
  ) {
    this.etcd = new Etcd3({ hosts: `http://${endpoint}` });
  }

  async start(keys: MetadataKeys): Promise<void> {
    const logger = createLogger('sim', `fake-broker-${this.id}`, 'error');
    const registration = { id: this.id, host: '127.0.0.1', port: 10_000 + this.id, rack: '', startedAtMs: Date.now(), cleanStart: true };
    this.membership = await Membership.join(this.etcd, keys.broker(this.id), registration, TTL, logger);
    this.membership.onLost(() => this.lost++);
    this.mirror = await PrefixMirror.start({
      etcd: this.etcd,
      prefix: keys.root + '/',
      logger,
      what: `fake broker ${this.id}'s metadata`,
      handlers: {
        // A real broker parses every value into its ClusterView; counting keeps 100 copies of
        // P records out of this one process (the per-broker parse cost is measured once, below).
        snapshot: (kvs) => void (this.keysLoaded = kvs.length),
        change: (kv) => {
          this.events++;
          this.onKey(kv.key.toString());
        },
      },
    });
  }

  async stop(): Promise<void> {
    await this.mirror?.close();
    await this.membership?.leave().catch(() => undefined);
    this.etcd.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'samsa-sim-'));
log(`${B} fake brokers x ${PER_BROKER} replicas (P = ${P} partitions, RF ${RF}), lease TTL ${TTL} s; load ${loadAverage(1)}`);
const etcdProc = await EtcdProcess.start({ dataDir: join(dir, 'etcd'), logFile: join(dir, 'etcd.log') });
const etcd = new Etcd3({ hosts: `http://${etcdProc.endpoint}` });
const keys = new MetadataKeys('sim');
const brokers: FakeBroker[] = [];
let failure: unknown;
try {
  put('load average at the start', loadAverage(1), '/proc/loadavg (1, 5, 15 min)');
  const status = async (): Promise<{ rev: number; db: number }> => {
    const s = await etcd.maintenance.status();
    return { rev: Number(s.header.revision), db: Number(s.dbSize) };
  };
  const etcdPid = etcdProc.child.pid;

  // The controller's create: P partition records in transactions of TXN_OPS, then the topic record.
  const s0 = await status();
  const c0 = performance.now();
  const ids = Array.from({ length: B }, (_, i) => i + 1);
  const stateOf = (p: number, epoch: number): PartitionState => {
    const replicas = Array.from({ length: RF }, (_, r) => ids[(p + r) % B] as number);
    return {
      topic: 'big',
      partition: p,
      replicas,
      isr: replicas,
      leader: replicas[0] as number,
      leaderEpoch: epoch,
      partitionEpoch: epoch,
    };
  };
  let txns = 0;
  for (let i = 0; i < P; i += TXN_OPS) {
    const ops = [];
    for (let p = i; p < Math.min(P, i + TXN_OPS); p++) ops.push(etcd.put(keys.partition('big', p)).value(JSON.stringify(stateOf(p, 0))));
    await etcd
      .if(keys.topic('big'), 'Create', '==', 0)
      .then(...ops)
      .commit();
    txns++;
  }
  await etcd.put(keys.topic('big')).value(JSON.stringify({ name: 'big', partitions: P, replicationFactor: RF }));
  const createS = (performance.now() - c0) / 1000;
  const s1 = await status();
  const valueBytes = JSON.stringify(stateOf(0, 0)).length + keys.partition('big', 0).length;
  put(
    'create of P partitions',
    `${createS.toFixed(1)} s, ${s1.rev - s0.rev} revisions (${txns + 1} transactions), ${Math.round(P / createS).toLocaleString('en-US')} keys/s`,
    `formula: ceil(P/100) + 1 = ${Math.ceil(P / TXN_OPS) + 1} revisions`,
  );
  put(
    'etcd db size after the create',
    `${(s0.db / 1e6).toFixed(1)} -> ${(s1.db / 1e6).toFixed(1)} MB`,
    `maintenance status dbSize; P x ~${valueBytes} B of key+value = ${((P * valueBytes) / 1e6).toFixed(1)} MB live`,
  );

  // One real ClusterView-style parse of P records: what each real broker pays at start. Read as a
  // broker reads it (PrefixMirror: pages of 1,000 keys at one revision); one range of the whole
  // prefix fails past 4 MiB (ADR 0043), which is what this step did until session 7.
  const parse0 = performance.now();
  let all: readonly { value: Buffer }[] = [];
  const reader = await PrefixMirror.start({
    etcd,
    prefix: keys.root + '/',
    logger: createLogger('sim', 'snapshot-reader', 'error'),
    what: 'the snapshot read',
    handlers: { snapshot: (kvs) => void (all = kvs), change: () => undefined },
  });
  await reader.close();
  const parsedAt = performance.now();
  let parsed = 0;
  for (const kv of all) if (JSON.parse(kv.value.toString())) parsed++;
  put(
    'one broker loading the snapshot',
    `${(parsedAt - parse0).toFixed(0)} ms paged range read + ${(performance.now() - parsedAt).toFixed(0)} ms JSON parse of ${parsed.toLocaleString('en-US')} keys`,
    'one client, alone (the start-up cost per real broker process)',
  );

  // B brokers start: register under a lease and load the snapshot, START_CONCURRENCY at a time.
  const e0 = procStat(etcdPid);
  const b0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: START_CONCURRENCY }, async () => {
      while (next < B) {
        const b = new FakeBroker(ids[next++] as number, etcdProc.endpoint);
        brokers.push(b);
        await b.start(keys);
      }
    }),
  );
  const startS = (performance.now() - b0) / 1000;
  const e1 = procStat(etcdPid);
  const loaded = brokers.filter((b) => b.keysLoaded >= P + 1).length;
  put(
    `${B} brokers registered and loaded`,
    `${startS.toFixed(1)} s (${loaded}/${B} loaded all ${P} partition keys and the topic)`,
    `${START_CONCURRENCY} starting at once; etcd ${(e1.cpuS - e0.cpuS).toFixed(1)} CPU-s, RSS ${e1.rssMiB.toFixed(0)} MiB`,
  );

  // Propagation: one partition write -> every broker's watch has it.
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const key = keys.partition('big', i);
    let seen = 0;
    const t0 = performance.now();
    const done = new Promise<void>((resolve) => {
      for (const b of brokers)
        b.onKey = (k) => {
          if (k === key && ++seen === brokers.length) resolve();
        };
    });
    await etcd.put(key).value(JSON.stringify(stateOf(i, i + 1)));
    await done;
    samples.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const b of brokers) b.onKey = () => undefined;
  put(
    `one change to all ${B} watchers`,
    `p50 ${quantile(samples, 0.5).toFixed(0)} ms, p99 ${quantile(samples, 0.99).toFixed(0)} ms`,
    '30 single puts, 100 ms apart: put sent -> the last watcher has the event',
  );

  // A broker bounce: ~3 x P x RF / B partition writes, one at a time as the controller's pass does.
  const storm = Math.round((3 * P * RF) / B);
  const eventsBefore = brokers.reduce((a, b) => a + b.events, 0);
  const r0 = (await status()).rev;
  const e2 = procStat(etcdPid);
  const w0 = performance.now();
  for (let i = 0; i < storm; i++) {
    const p = (i * 7919) % P;
    await etcd.put(keys.partition('big', p)).value(JSON.stringify(stateOf(p, 100 + i)));
  }
  const writeS = (performance.now() - w0) / 1000;
  const want = eventsBefore + storm * brokers.length;
  const deadline = performance.now() + 120_000;
  while (brokers.reduce((a, b) => a + b.events, 0) < want && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const deliveredS = (performance.now() - w0) / 1000;
  const delivered = brokers.reduce((a, b) => a + b.events, 0) - eventsBefore;
  const e3 = procStat(etcdPid);
  put(
    'broker-bounce storm',
    `${storm} writes in ${writeS.toFixed(1)} s (${Math.round(storm / writeS)}/s, ${(await status()).rev - r0} revisions); all ${delivered.toLocaleString('en-US')} watch events delivered after ${deliveredS.toFixed(1)} s`,
    `formula: 3 x P x RF / B writes, each to W = ${B} watchers (${(storm * B).toLocaleString('en-US')} events); etcd ${(e3.cpuS - e2.cpuS).toFixed(1)} CPU-s`,
  );
  put(
    'etcd db size at the end',
    `${((await status()).db / 1e6).toFixed(1)} MB`,
    'not compacted: every revision kept (the launcher does not compact)',
  );
  put(
    'leases lost',
    `${brokers.reduce((a, b) => a + b.lost, 0)}`,
    `${B} leases of ${TTL} s, keep-alive about every ${(TTL / 3).toFixed(1)} s (~${Math.round((B * 3) / TTL)} keep-alives/s)`,
  );
} catch (err) {
  failure = err;
  log(`stopped early: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  exitIfCleanupHangs(log);
  put('load average at the end', loadAverage(1), '/proc/loadavg (1, 5, 15 min)');
  process.stdout.write(`\n| ${B} fake brokers, ${P} partitions RF ${RF} | figure | how |\n|---|---|---|\n`);
  for (const [a, b, c] of rows) process.stdout.write(`| ${a} | ${b} | ${c} |\n`);
  if (failure) process.stdout.write(`\nstopped early: ${failure instanceof Error ? failure.message : String(failure)}\n`);
  await Promise.all(brokers.map((b) => b.stop()));
  etcd.close();
  await etcdProc.stop();
  if (!process.env.SAMSA_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
if (failure) process.exitCode = 1;

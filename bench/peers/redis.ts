/**
 * Redis Streams as a peer: `redis-server` on loopback with AOF `appendfsync everysec` (its
 * comparable durability: at most ~1 s of acknowledged writes lost on power failure, like Samsa's
 * default fsync interval of 1 s), driven over raw RESP (resp.ts) with pipelining:
 * - produce: XADD in windows of 1,000 commands written as one buffer, 8 windows in flight;
 * - consume: XRANGE with COUNT 10,000 from the start, exclusive of the last id seen;
 * - e2e: paced XADD on one connection, XREAD BLOCK on another; the value carries its scheduled time.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Child, freePort, waitUntil } from '../../tools/launcher/index.js';
import { Meter, payload, type PerfReport } from '../../tools/perf/index.js';
import { RespConnection, encodeCommand, type RespValue } from './resp.js';

const WINDOW = 1000;
const IN_FLIGHT = 8;

export class RedisPeer {
  private constructor(
    readonly child: Child,
    readonly port: number,
    private readonly conn: RespConnection,
  ) {}

  static async start(dir: string): Promise<RedisPeer> {
    const port = await freePort();
    const child = new Child({
      name: 'redis',
      command: 'redis-server',
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--protected-mode',
        'no',
      ],
      logFile: join(dir, 'redis.log'),
    });
    child.start();
    let conn: RespConnection | undefined;
    try {
      await waitUntil(
        async () => {
          if (!child.running) throw new Error(`redis-server exited; see ${join(dir, 'redis.log')}`);
          conn = await RespConnection.connect(port).catch(() => undefined);
          return conn !== undefined && (await conn.command('PING')) === 'PONG';
        },
        20_000,
        'redis-server',
      );
    } catch (err) {
      conn?.close();
      await child.stop(2_000);
      throw err;
    }
    return new RedisPeer(child, port, conn as RespConnection);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async clear(stream: string): Promise<void> {
    await this.conn.command('DEL', stream);
  }

  async produce(stream: string, recordBytes: number, records: number, durationMs: number): Promise<PerfReport> {
    const value = payload(recordBytes);
    const one = encodeCommand(['XADD', stream, '*', 'v', value]);
    const window = Buffer.concat(Array.from({ length: WINDOW }, () => one));
    const meter = new Meter('pipelined window of 1,000 XADD');
    const inflight = new Set<Promise<void>>();
    let sent = 0;
    let failure: unknown;
    meter.start();
    const deadline = performance.now() + durationMs;
    try {
      while (sent < records && performance.now() < deadline && failure === undefined) {
        const n = Math.min(WINDOW, records - sent);
        sent += n;
        const t0 = performance.now();
        const p = this.conn.pipeline(n === WINDOW ? window : Buffer.concat(Array.from({ length: n }, () => one)), n).then(
          () => {
            meter.add(n, n * recordBytes);
            meter.sample((performance.now() - t0) * 1000, n);
          },
          (err: unknown) => {
            failure ??= err;
          },
        );
        inflight.add(p);
        void p.then(() => inflight.delete(p));
        while (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    } finally {
      meter.stop();
    }
    if (failure !== undefined) throw failure;
    return meter.stop();
  }

  async consume(stream: string, records: number, durationMs: number): Promise<PerfReport> {
    const meter = new Meter('XRANGE of 10,000');
    meter.start();
    const deadline = performance.now() + durationMs;
    let from = '-';
    while (meter.recordCount < records && performance.now() < deadline) {
      const t0 = performance.now();
      const reply = (await this.conn.command('XRANGE', stream, from, '+', 'COUNT', '10000')) as RespValue[];
      meter.sample((performance.now() - t0) * 1000);
      if (reply.length === 0) break;
      let bytes = 0;
      for (const entry of reply as [Buffer, Buffer[]][]) bytes += entry[1][1]?.length ?? 0;
      meter.add(reply.length, bytes);
      from = '(' + (reply[reply.length - 1] as [Buffer])[0].toString('latin1');
    }
    return meter.stop();
  }

  async e2e(stream: string, recordBytes: number, throughput: number, records: number, durationMs: number): Promise<PerfReport> {
    const reader = await RespConnection.connect(this.port);
    const meter = new Meter('produce to receipt');
    const template = payload(recordBytes);
    let sent = 0;
    let stop = false;
    const reading = (async () => {
      let last = '$';
      while (!stop || meter.recordCount < sent) {
        const reply = (await reader.command('XREAD', 'COUNT', '10000', 'BLOCK', '200', 'STREAMS', stream, last)) as
          [Buffer, [Buffer, Buffer[]][]][] | null;
        if (stop && reply === null) break;
        const now = performance.now();
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            const v = fields[1] as Buffer;
            meter.sample((now - v.readDoubleLE(0)) * 1000);
            meter.add(1, v.length);
            last = id.toString('latin1');
          }
        }
      }
    })();
    try {
      // XREAD with $ must be parked before the first XADD, or that record is missed.
      await sleep(300);
      meter.start();
      const started = performance.now();
      const interval = 1000 / throughput;
      const writes = new Set<Promise<unknown>>();
      while (sent < records && performance.now() < started + durationMs) {
        const due = Math.min(records, Math.floor((performance.now() - started) / interval) + 1);
        if (due > sent) {
          const cmds: Buffer[] = [];
          for (let i = sent; i < due; i++) {
            const value = Buffer.allocUnsafe(recordBytes);
            template.copy(value);
            value.writeDoubleLE(started + i * interval, 0);
            cmds.push(encodeCommand(['XADD', stream, '*', 'v', value]));
          }
          const p = this.conn.pipeline(Buffer.concat(cmds), due - sent);
          writes.add(p);
          void p.then(
            () => writes.delete(p),
            () => writes.delete(p),
          );
          sent = due;
        }
        await sleep(Math.max(0, started + sent * interval - performance.now()));
      }
      await Promise.all(writes);
    } finally {
      stop = true;
      await Promise.race([reading, sleep(10_000)]).catch(() => undefined);
      reader.close();
      meter.stop();
    }
    return meter.stop();
  }

  async stop(): Promise<void> {
    this.conn.close();
    await this.child.stop(5_000);
  }
}

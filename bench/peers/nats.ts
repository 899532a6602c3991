/**
 * NATS JetStream as a peer: `nats-server -js` on loopback with a file-storage stream (JetStream
 * writes each message to its file store at once and fsyncs on its own interval, 2 min by default,
 * so it is no more durable than Samsa's 1 s fsync interval), driven over the raw NATS text
 * protocol (no client library: the pipelining is ours, like for Redis):
 * - produce: PUB with a reply inbox to the stream's subject; JetStream answers each with a PubAck.
 *   Windows of 1,000 publishes, 8 in flight;
 * - consume: an ephemeral pull consumer (ack none) fetched in batches of 10,000, two pulls out;
 * - e2e: a push consumer (ack none, deliver new) on one connection, paced PUBs on another.
 *
 * Protocol (https://docs.nats.io/reference/reference-protocols/nats-protocol): lines ending CRLF;
 * `MSG <subject> <sid> [reply] <bytes>` and `HMSG <subject> <sid> [reply] <hdr bytes> <total
 * bytes>` are followed by that many bytes and CRLF; PING must be answered with PONG.
 */
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Child, freePort, waitUntil } from '../../tools/launcher/index.js';
import { Meter, payload, type PerfReport } from '../../tools/perf/index.js';
import { withTimeout } from '../stats.js';

const WINDOW = 1000;
const IN_FLIGHT = 8;
const PULL_BATCH = 10_000;

interface NatsMsg {
  subject: string;
  sid: number;
  reply: string | undefined;
  /** Null for a status-only message (HMSG with no body, e.g. 404 / 408 on a pull). */
  data: Buffer;
  status: number | undefined;
}

class NatsConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly subs = new Map<number, (m: NatsMsg) => void>();
  private nextSid = 1;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const fail = (err: Error): void => {
      this.failure ??= err;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('nats connection closed')));
  }

  static async connect(port: number): Promise<NatsConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const conn = new NatsConnection(socket);
    socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"lang":"raw","version":"0"}\r\n');
    return conn;
  }

  subscribe(subject: string, handler: (m: NatsMsg) => void): number {
    const sid = this.nextSid++;
    this.subs.set(sid, handler);
    this.socket.write(`SUB ${subject} ${sid}\r\n`);
    return sid;
  }

  unsubscribe(sid: number): void {
    this.subs.delete(sid);
    this.socket.write(`UNSUB ${sid}\r\n`);
  }

  /** Publishes; many calls may be made before the socket flushes (writes are coalesced by Node). */
  publish(subject: string, data: Buffer, reply?: string): void {
    if (this.failure) throw this.failure;
    this.socket.write(Buffer.concat([Buffer.from(`PUB ${subject}${reply ? ' ' + reply : ''} ${data.length}\r\n`, 'latin1'), data, CRLF]));
  }

  /** Writes pre-encoded PUB commands. */
  write(raw: Buffer): void {
    if (this.failure) throw this.failure;
    this.socket.write(raw);
  }

  /** One request and its one answer (JSON APIs of JetStream). */
  async request(subject: string, body: object, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const inbox = `_INBOX.req.${Math.random().toString(36).slice(2)}`;
    const abort = new AbortController();
    let sid = 0;
    try {
      return await Promise.race([
        new Promise<Record<string, unknown>>((resolve) => {
          sid = this.subscribe(inbox, (m) => resolve(JSON.parse(m.data.toString('utf8')) as Record<string, unknown>));
          this.publish(subject, Buffer.from(JSON.stringify(body)), inbox);
        }),
        sleep(timeoutMs, undefined, { signal: abort.signal }).then(() => {
          throw new Error(`no answer to ${subject} within ${timeoutMs} ms`);
        }),
      ]);
    } finally {
      abort.abort();
      this.unsubscribe(sid);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buf = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const end = this.buf.indexOf(CRLF, pos);
      if (end < 0) break;
      const line = this.buf.toString('latin1', pos, end);
      if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
        const parts = line.split(' ');
        const headers = parts[0] === 'HMSG';
        const total = Number(parts[parts.length - 1]);
        const hdrLen = headers ? Number(parts[parts.length - 2]) : 0;
        const hasReply = parts.length === (headers ? 6 : 5);
        if (end + 2 + total + 2 > this.buf.length) break;
        const bodyStart = end + 2;
        let status: number | undefined;
        if (headers) {
          const first = this.buf.toString('latin1', bodyStart, bodyStart + Math.min(hdrLen, 64));
          const m = /^NATS\/1\.0 (\d{3})/.exec(first);
          if (m) status = Number(m[1]);
        }
        const msg: NatsMsg = {
          subject: parts[1] as string,
          sid: Number(parts[2]),
          reply: hasReply ? parts[3] : undefined,
          data: this.buf.subarray(bodyStart + hdrLen, bodyStart + total),
          status,
        };
        pos = bodyStart + total + 2;
        this.subs.get(msg.sid)?.(msg);
        continue;
      }
      pos = end + 2;
      if (line === 'PING') this.socket.write('PONG\r\n');
      else if (line.startsWith('-ERR')) this.failure ??= new Error(`nats: ${line}`);
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

export class NatsPeer {
  private constructor(
    readonly child: Child,
    readonly port: number,
    private readonly conn: NatsConnection,
  ) {}

  static async start(dir: string): Promise<NatsPeer> {
    const port = await freePort();
    const child = new Child({
      name: 'nats',
      command: 'nats-server',
      args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'jetstream')],
      logFile: join(dir, 'nats.log'),
    });
    child.start();
    let conn: NatsConnection | undefined;
    try {
      await waitUntil(
        async () => {
          if (!child.running) throw new Error(`nats-server exited; see ${join(dir, 'nats.log')}`);
          conn = await NatsConnection.connect(port).catch(() => undefined);
          if (!conn) return false;
          const info = await conn.request('$JS.API.INFO', {}, 2_000).catch(() => undefined);
          if (info && !info.error) return true;
          conn.close();
          return false;
        },
        20_000,
        'nats-server with JetStream',
        300,
      );
    } catch (err) {
      conn?.close();
      await child.stop(2_000);
      throw err;
    }
    return new NatsPeer(child, port, conn as NatsConnection);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** (Re)creates a file-storage stream named `stream` on subject `stream`. */
  async clear(stream: string): Promise<void> {
    await this.conn.request(`$JS.API.STREAM.DELETE.${stream}`, {});
    const res = await this.conn.request(`$JS.API.STREAM.CREATE.${stream}`, {
      name: stream,
      subjects: [stream],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      num_replicas: 1,
    });
    if (res.error) throw new Error(`nats: cannot create stream ${stream}: ${JSON.stringify(res.error)}`);
  }

  async produce(stream: string, recordBytes: number, records: number, durationMs: number): Promise<PerfReport> {
    const value = payload(recordBytes);
    const meter = new Meter('window of 1,000 publishes to their PubAcks');
    const inbox = `_INBOX.ack.${Math.random().toString(36).slice(2)}`;
    const windows = new Map<number, { left: number; t0: number; done: () => void }>();
    const sid = this.conn.subscribe(`${inbox}.*`, (m) => {
      const w = Number(m.subject.slice(inbox.length + 1));
      const win = windows.get(w);
      if (!win) return;
      if (--win.left === 0) {
        windows.delete(w);
        win.done();
      }
    });
    const encoded = (w: number): Buffer =>
      Buffer.concat([Buffer.from(`PUB ${stream} ${inbox}.${w} ${recordBytes}\r\n`, 'latin1'), value, CRLF]);
    const inflight = new Set<Promise<void>>();
    let sent = 0;
    let w = 0;
    meter.start();
    const deadline = performance.now() + durationMs;
    try {
      while (sent < records && performance.now() < deadline) {
        const n = Math.min(WINDOW, records - sent);
        sent += n;
        const id = w++;
        const one = encoded(id);
        const t0 = performance.now();
        const p = new Promise<void>((resolve) => windows.set(id, { left: n, t0, done: resolve })).then(() => {
          meter.add(n, n * recordBytes);
          meter.sample((performance.now() - t0) * 1000, n);
        });
        this.conn.write(Buffer.concat(Array.from({ length: n }, () => one)));
        inflight.add(p);
        void p.then(() => inflight.delete(p));
        while (inflight.size >= IN_FLIGHT) await withTimeout(Promise.race(inflight), 30_000, 'PubAcks from nats-server');
      }
      await withTimeout(Promise.all(inflight), 30_000, 'PubAcks from nats-server');
    } finally {
      this.conn.unsubscribe(sid);
      meter.stop();
    }
    return meter.stop();
  }

  async consume(stream: string, records: number, durationMs: number): Promise<PerfReport> {
    const created = await this.conn.request(`$JS.API.CONSUMER.CREATE.${stream}`, {
      stream_name: stream,
      config: { ack_policy: 'none', deliver_policy: 'all', inactive_threshold: 60_000_000_000 },
    });
    const name = (created.name as string | undefined) ?? '';
    if (!name) throw new Error(`nats: cannot create a consumer: ${JSON.stringify(created.error ?? created)}`);
    const meter = new Meter(`pull of ${PULL_BATCH.toLocaleString('en-US')}`);
    const inbox = `_INBOX.pull.${Math.random().toString(36).slice(2)}`;
    let pending = 0;
    let waitFrom = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const pull = (): void => {
      pending += PULL_BATCH;
      this.conn.publish(
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`,
        Buffer.from(JSON.stringify({ batch: PULL_BATCH, no_wait: true })),
        inbox,
      );
    };
    const sid = this.conn.subscribe(inbox, (m) => {
      if (m.status !== undefined) {
        // 404/408: nothing more right now; the stream holds what we asked for or we are done.
        finish();
        return;
      }
      meter.add(1, m.data.length);
      if (--pending % PULL_BATCH === 0) {
        meter.sample((performance.now() - waitFrom) * 1000);
        waitFrom = performance.now();
      }
      if (meter.recordCount >= records) finish();
      else if (pending <= PULL_BATCH) pull();
    });
    const abort = new AbortController();
    meter.start();
    waitFrom = performance.now();
    try {
      pull();
      pull();
      await Promise.race([finished, sleep(durationMs, undefined, { signal: abort.signal }).catch(() => undefined)]);
    } finally {
      abort.abort();
      this.conn.unsubscribe(sid);
      meter.stop();
      await this.conn.request(`$JS.API.CONSUMER.DELETE.${stream}.${name}`, {}).catch(() => undefined);
    }
    return meter.stop();
  }

  async e2e(stream: string, recordBytes: number, throughput: number, records: number, durationMs: number): Promise<PerfReport> {
    const reader = await NatsConnection.connect(this.port);
    const meter = new Meter('produce to receipt');
    const deliver = `_INBOX.push.${Math.random().toString(36).slice(2)}`;
    let done: () => void = () => undefined;
    const received = new Promise<void>((resolve) => (done = resolve));
    let sent = 0;
    let allSent = false;
    reader.subscribe(deliver, (m) => {
      if (m.status !== undefined || m.data.length < 8) return;
      meter.sample((performance.now() - m.data.readDoubleLE(0)) * 1000);
      meter.add(1, m.data.length);
      if (allSent && meter.recordCount >= sent) done();
    });
    const created = await reader.request(`$JS.API.CONSUMER.CREATE.${stream}`, {
      stream_name: stream,
      config: { ack_policy: 'none', deliver_policy: 'new', deliver_subject: deliver, inactive_threshold: 60_000_000_000 },
    });
    const name = (created.name as string | undefined) ?? '';
    if (!name) throw new Error(`nats: cannot create a push consumer: ${JSON.stringify(created.error ?? created)}`);
    const template = payload(recordBytes);
    const abort = new AbortController();
    try {
      meter.start();
      const started = performance.now();
      const interval = 1000 / throughput;
      while (sent < records && performance.now() < started + durationMs) {
        const due = Math.min(records, Math.floor((performance.now() - started) / interval) + 1);
        for (let i = sent; i < due; i++) {
          const value = Buffer.allocUnsafe(recordBytes);
          template.copy(value);
          value.writeDoubleLE(started + i * interval, 0);
          // A reply inbox nobody listens to: JetStream still stores and acks; we do not wait.
          this.conn.publish(stream, value, '_INBOX.ignored');
        }
        sent = due;
        await sleep(Math.max(0, started + sent * interval - performance.now()));
      }
      allSent = true;
      if (meter.recordCount < sent)
        await Promise.race([received, sleep(10_000, undefined, { signal: abort.signal }).catch(() => undefined)]);
    } finally {
      abort.abort();
      meter.stop();
      await reader.request(`$JS.API.CONSUMER.DELETE.${stream}.${name}`, {}).catch(() => undefined);
      reader.close();
    }
    return meter.stop();
  }

  async stop(): Promise<void> {
    this.conn.close();
    await this.child.stop(5_000);
  }
}

/**
 * A minimal Redis client over a raw socket, speaking RESP2 (the Redis serialization protocol),
 * for the benchmark only: no dependency, and pipelining under our control (a window of commands
 * written as one buffer, several windows in flight). Replies are matched to commands in order, as
 * RESP guarantees on one connection.
 *
 * Reply types handled: +simple, -error, :integer, $bulk (and $-1 nil), *array (and *-1 nil).
 * The reader is resumable: a large reply arriving in many TCP chunks is parsed once.
 */
import { connect, type Socket } from 'node:net';

export type RespValue = string | number | Buffer | null | RespError | RespValue[];

export class RespError extends Error {}

interface Frame {
  items: RespValue[];
  remaining: number;
}

/** Bytes in, complete top-level replies out. */
export class RespReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly stack: Frame[] = [];

  feed(chunk: Buffer, emit: (value: RespValue) => void): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    for (;;) {
      const lineEnd = this.buf.indexOf(13, this.pos);
      if (lineEnd < 0 || lineEnd + 1 >= this.buf.length) return;
      const type = this.buf[this.pos] as number;
      const header = this.buf.toString('latin1', this.pos + 1, lineEnd);
      let value: RespValue;
      let next = lineEnd + 2;
      if (type === 36 /* $ */) {
        const len = Number(header);
        if (len < 0) value = null;
        else {
          if (next + len + 2 > this.buf.length) return;
          value = this.buf.subarray(next, next + len);
          next += len + 2;
        }
      } else if (type === 42 /* * */) {
        const len = Number(header);
        this.pos = next;
        if (len > 0) {
          this.stack.push({ items: [], remaining: len });
          continue;
        }
        this.deliver(len < 0 ? null : [], emit);
        continue;
      } else if (type === 43 /* + */) value = header;
      else if (type === 45 /* - */) value = new RespError(header);
      else if (type === 58 /* : */) value = Number(header);
      else throw new Error(`unexpected RESP type byte ${type}`);
      this.pos = next;
      this.deliver(value, emit);
    }
  }

  private deliver(value: RespValue, emit: (value: RespValue) => void): void {
    let v = value;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return emit(v);
      top.items.push(v);
      if (--top.remaining > 0) return;
      this.stack.pop();
      v = top.items;
    }
  }
}

/** One command in RESP form: *N then $len-prefixed arguments. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** One connection; owner calls close(). */
export class RespConnection {
  private readonly reader = new RespReader();
  /** One entry per pipeline() call, in write order; replies fill the first. */
  private readonly waiting: { values: RespValue[]; count: number; resolve: (v: RespValue[]) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) =>
      this.reader.feed(chunk, (v) => {
        const w = this.waiting[0];
        if (!w) return;
        w.values.push(v);
        if (w.values.length === w.count) {
          this.waiting.shift();
          const err = w.values.find((x): x is RespError => x instanceof RespError);
          if (err) w.reject(err);
          else w.resolve(w.values);
        }
      }),
    );
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('redis connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RespConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes `commands` (already encoded, `count` of them) and resolves with their replies in order. */
  pipeline(commands: Buffer, count: number): Promise<RespValue[]> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<RespValue[]>((resolve, reject) => this.waiting.push({ values: [], count, resolve, reject }));
    this.socket.write(commands);
    return done;
  }

  async command(...args: (string | Buffer)[]): Promise<RespValue> {
    const [reply] = await this.pipeline(encodeCommand(args), 1);
    return reply as RespValue;
  }

  close(): void {
    this.socket.destroy();
  }
}

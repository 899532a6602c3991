/**
 * Just enough of etcd's Lease service (LeaseKeepAlive, LeaseRevoke) spoken over node:http2, for
 * the lease keep-alive thread (lease-keeper-worker.ts, ADR 0057). The etcd3 client would do, but
 * loading it there (grpc-js, protobufjs and etcd's rpc.proto parsed at load) cost every cluster
 * member ~12 MiB of RSS for a thread that sends a few 10-byte messages a second (session 13: a
 * worker with etcd3 +23.7 MiB, with node:http2 alone +12.0).
 *
 * The three messages are hand-coded from etcd's rpc.proto: LeaseKeepAliveRequest and
 * LeaseRevokeRequest are `{ int64 ID = 1; }`, LeaseKeepAliveResponse is
 * `{ ResponseHeader header = 1; int64 ID = 2; int64 TTL = 3; }`. gRPC frames each message with a
 * compressed-flag byte (always 0 here) and a big-endian 32-bit length.
 */
import http2 from 'node:http2';

const KEEP_ALIVE_PATH = '/etcdserverpb.Lease/LeaseKeepAlive';
const REVOKE_PATH = '/etcdserverpb.Lease/LeaseRevoke';
const REVOKE_DEADLINE_MS = 5_000;

/** Protobuf varint of an int64/uint64 (negative values as their 64-bit two's complement, 10 bytes). */
export function encodeVarint(value: bigint): Buffer {
  let v = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** LeaseKeepAliveRequest / LeaseRevokeRequest: `{ int64 ID = 1; }`, the id as etcd3 gives it (decimal). */
export function encodeLeaseIdRequest(id: string): Buffer {
  return Buffer.concat([Buffer.of(0x08), encodeVarint(BigInt(id))]);
}

/** One gRPC length-prefixed message, uncompressed. */
export function grpcFrame(message: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

export class MalformedEtcdMessage extends Error {}

/** LeaseKeepAliveResponse's ID (decimal, as etcd3 gives it) and TTL in seconds (0: etcd no longer knows the lease). */
export function decodeKeepAliveResponse(message: Uint8Array): { id: string; ttl: number } {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= message.length) throw new MalformedEtcdMessage('truncated varint');
      const byte = message[pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
    }
    throw new MalformedEtcdMessage('varint longer than 10 bytes');
  };
  let id = 0n;
  let ttl = 0n;
  while (pos < message.length) {
    const key = varint();
    const field = key >> 3n;
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const value = BigInt.asIntN(64, varint());
      if (field === 2n) id = value;
      else if (field === 3n) ttl = value;
    } else if (wireType === 2) {
      const length = Number(varint());
      pos += length;
    } else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else throw new MalformedEtcdMessage(`wire type ${wireType}`);
    if (pos > message.length) throw new MalformedEtcdMessage('field runs past the message');
  }
  return { id: id.toString(), ttl: Number(ttl) };
}

/** Cuts a byte stream of gRPC frames into its messages, whatever the chunking. */
export class GrpcFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 5) {
      if (this.pending[0] !== 0) throw new MalformedEtcdMessage('compressed gRPC message (never asked for)');
      const end = 5 + this.pending.readUInt32BE(1);
      if (this.pending.length < end) break;
      messages.push(this.pending.subarray(5, end));
      this.pending = this.pending.subarray(end);
    }
    return messages;
  }
}

/**
 * One LeaseKeepAlive stream: `write` sends a keep-alive; `end` closes it (no more callbacks after);
 * `silent` ends it because nothing came back for a TTL, and drops its connection too (dead without
 * an error), unless another stream already replaced that connection.
 */
export interface KeepAliveStream {
  write(id: string): void;
  end(): void;
  silent(): void;
}

export interface KeepAliveHandlers {
  answered(res: { id: string; ttl: number }): void;
  /** The stream failed or ended: called once, never after `end()`. */
  broken(): void;
}

/**
 * The keep-alive thread's connection to etcd: one HTTP/2 session at a time, to the endpoints in
 * turn (the next one after a session fails or is dropped as silent).
 */
export class EtcdLeaseWire {
  private session: http2.ClientHttp2Session | undefined;
  private nextEndpoint = 0;
  private readonly revokes = new Set<NodeJS.Timeout>();

  constructor(private readonly endpoints: readonly string[]) {
    if (endpoints.length === 0) throw new Error('EtcdLeaseWire needs at least one etcd endpoint');
  }

  keepAlive(handlers: KeepAliveHandlers): KeepAliveStream {
    const session = this.connect();
    const request = session.request({
      ':method': 'POST',
      ':path': KEEP_ALIVE_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const reader = new GrpcFrameReader();
    let over = false;
    const broken = (): void => {
      if (over) return;
      over = true;
      request.close(http2.constants.NGHTTP2_CANCEL);
      handlers.broken();
    };
    request.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) {
          if (over) return;
          handlers.answered(decodeKeepAliveResponse(message));
        }
      } catch {
        broken();
      }
    });
    request.on('error', broken);
    request.on('end', broken);
    request.on('close', broken);
    return {
      write: (id) => {
        if (!over) request.write(grpcFrame(encodeLeaseIdRequest(id)));
      },
      end: () => {
        if (over) return;
        over = true;
        request.close(http2.constants.NGHTTP2_CANCEL);
      },
      silent: () => {
        if (this.session === session) this.drop();
        broken();
      },
    };
  }

  /** Revokes the lease; settles (never rejects) when etcd answered, the call failed, or after 5 s. */
  revoke(id: string): Promise<void> {
    return new Promise((resolve) => {
      const request = this.connect().request({
        ':method': 'POST',
        ':path': REVOKE_PATH,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const deadline = setTimeout(() => request.close(http2.constants.NGHTTP2_CANCEL), REVOKE_DEADLINE_MS);
      this.revokes.add(deadline);
      const done = (): void => {
        clearTimeout(deadline);
        this.revokes.delete(deadline);
        resolve();
      };
      request.on('error', done);
      request.on('close', done);
      request.resume();
      request.end(grpcFrame(encodeLeaseIdRequest(id)));
    });
  }

  close(): void {
    for (const timer of this.revokes) clearTimeout(timer);
    this.revokes.clear();
    this.drop();
  }

  /** Drops the current connection: the next call opens a new one, to the next endpoint. */
  private drop(): void {
    this.session?.destroy();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const endpoint = this.endpoints[this.nextEndpoint++ % this.endpoints.length] ?? '';
    const session = http2.connect(endpoint.includes('://') ? endpoint : `http://${endpoint}`);
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    // A failed session fails its streams too; they report it as broken and reopen.
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);
    this.session = session;
    return session;
  }
}

import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  EtcdLeaseWire,
  GrpcFrameReader,
  MalformedEtcdMessage,
  decodeKeepAliveResponse,
  encodeLeaseIdRequest,
  grpcFrame,
} from '../../../libs/cluster/etcd-lease-wire.js';

// The keep-alive thread's hand-coded messages, checked against protobufjs encoding the same
// fields (etcd's rpc.proto: LeaseKeepAliveRequest/LeaseRevokeRequest { int64 ID = 1 },
// LeaseKeepAliveResponse { ResponseHeader header = 1; int64 ID = 2; int64 TTL = 3 }).
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const leaseId = fc.bigInt({ min: 1n, max: (1n << 63n) - 1n });

function responseBytes(r: {
  header?: { cluster: bigint; member: bigint; revision: bigint; raft: bigint };
  id?: bigint;
  ttl?: bigint;
}): Buffer {
  const w = protobuf.Writer.create();
  if (r.header) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32(8).uint64(r.header.cluster.toString());
    w.uint32(16).uint64(r.header.member.toString());
    w.uint32(24).int64(r.header.revision.toString());
    w.uint32(32).uint64(r.header.raft.toString());
    w.ldelim();
  }
  if (r.id !== undefined) w.uint32(2 << 3).int64(r.id.toString());
  if (r.ttl !== undefined) w.uint32(3 << 3).int64(r.ttl.toString());
  return Buffer.from(w.finish());
}

describe('etcd-lease-wire: the keep-alive thread speaks etcd without the etcd3 client', () => {
  it('a keep-alive or revoke request is the bytes protobufjs makes for { int64 ID = 1 }', () => {
    fc.assert(
      fc.property(leaseId, (id) => {
        const expected = Buffer.from(protobuf.Writer.create().uint32(8).int64(id.toString()).finish());
        expect(encodeLeaseIdRequest(id.toString())).toEqual(expected);
      }),
    );
  });

  it('a keep-alive answer decodes to its ID and TTL, whatever the header and negative values', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(
        fc.option(fc.record({ cluster: u64, member: u64, revision: int64, raft: u64 }), { nil: undefined }),
        fc.option(int64, { nil: undefined }),
        fc.option(fc.bigInt({ min: -1n, max: 1n << 40n }), { nil: undefined }),
        (header, id, ttl) => {
          const decoded = decodeKeepAliveResponse(responseBytes({ header, id, ttl }));
          expect(decoded).toEqual({ id: (id ?? 0n).toString(), ttl: Number(ttl ?? 0n) });
        },
      ),
    );
  });

  it('a truncated answer is refused, not read as a TTL', () => {
    const full = responseBytes({ id: 7587869123456789n, ttl: 3n });
    for (let cut = 1; cut < full.length; cut++) {
      const part = full.subarray(0, cut);
      let result: { id: string; ttl: number } | undefined;
      try {
        result = decodeKeepAliveResponse(part);
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedEtcdMessage);
        continue;
      }
      // A cut that falls between fields is a shorter valid message: it never carries a TTL it did not have.
      expect(result.ttl === 0 || result.ttl === 3).toBe(true);
    }
  });

  it('gRPC frames are cut back into their messages however the bytes arrive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 30 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => grpcFrame(Buffer.from(m))));
          const reader = new GrpcFrameReader();
          const out: Buffer[] = [];
          let pos = 0;
          for (let i = 0; pos < stream.length; i++) {
            const size = cuts[i % cuts.length] ?? 1;
            out.push(...reader.push(stream.subarray(pos, pos + size)).map((b) => Buffer.from(b)));
            pos += size;
          }
          expect(out).toEqual(messages.map((m) => Buffer.from(m)));
        },
      ),
    );
  });

  it('a compressed frame (never asked for) is refused', () => {
    const frame = grpcFrame(Buffer.of(8, 1));
    frame[0] = 1;
    expect(() => new GrpcFrameReader().push(frame)).toThrow(MalformedEtcdMessage);
  });

  it('a stream gone silent drops its own connection, not one a later stream already opened', async () => {
    // A server that takes every stream and never answers: only `silent` ends them.
    const server = http2.createServer();
    const sessions: http2.ServerHttp2Session[] = [];
    let streams = 0;
    server.on('session', (session) => sessions.push(session));
    server.on('stream', (stream) => {
      streams++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const wire = new EtcdLeaseWire([`127.0.0.1:${(server.address() as AddressInfo).port}`]);
    const brokenStreams: string[] = [];
    const open = (name: string) => wire.keepAlive({ answered: () => undefined, broken: () => brokenStreams.push(name) });
    const untilStreams = async (n: number): Promise<void> => {
      while (streams < n) await new Promise((r) => setImmediate(r));
    };
    try {
      const a = open('a');
      const b = open('b');
      await untilStreams(2);
      a.silent();
      const c = open('c');
      await untilStreams(3);
      expect(sessions).toHaveLength(2);
      // b lived on the connection a dropped: going silent now must leave c's connection alone,
      // so the next stream still rides it.
      b.silent();
      const d = open('d');
      await untilStreams(4);
      expect(sessions).toHaveLength(2);
      expect(brokenStreams).toEqual(['a', 'b']);
      c.end();
      d.end();
    } finally {
      wire.close();
      for (const s of sessions) s.destroy();
      server.close();
    }
  });
});

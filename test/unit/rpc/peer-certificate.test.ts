/**
 * A TLS server (libs/rpc server.ts bindServer) converts each connection's client certificate once,
 * not on every call: grpc-js asks the socket for it to build every call's auth context, and the
 * access guard reads that on every call. Counted on the server's sockets' getPeerCertificate
 * without the detailed flag (how grpc-js asks). And each
 * call still carries its own connection's principal. Certificates: fixtures/tls (a throwaway CA,
 * valid to 2126, made with openssl for this test only).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { bindServer, callUnary, createServer, loadSamsaProto, unary, type v1 } from '../../../libs/rpc/index.js';
import { principalOf } from '../../../libs/security/index.js';

const dir = join(import.meta.dirname, 'fixtures', 'tls');
const file = (name: string): Buffer => readFileSync(join(dir, name));

afterEach(() => vi.restoreAllMocks());

describe('the peer certificate of a TLS connection', () => {
  it('is converted once per connection however many calls it carries, and each call has its own client', async () => {
    const conversions = new Map<TLSSocket, number>();
    const original = TLSSocket.prototype.getPeerCertificate;
    vi.spyOn(TLSSocket.prototype, 'getPeerCertificate').mockImplementation(function (this: TLSSocket, detailed?: boolean) {
      if (!detailed) conversions.set(this, (conversions.get(this) ?? 0) + 1);
      return original.call(this, detailed as false);
    } as TLSSocket['getPeerCertificate']);

    const server = createServer();
    onTestFinished(() => server.forceShutdown());
    server.addService(loadSamsaProto().proto.samsa.v1.CoordinatorService.service, {
      // Answers with the caller's principal, as the access guard reads it.
      FindCoordinator: unary(async (_req, call) => ({ coordinatorId: 1, host: principalOf(call).name, port: 1 })),
    } satisfies Partial<v1.CoordinatorServiceHandlers> as grpc.UntypedServiceImplementation);
    const port = await bindServer(
      server,
      '127.0.0.1',
      0,
      grpc.ServerCredentials.createSsl(file('ca.crt'), [{ cert_chain: file('server.crt'), private_key: file('server.key') }], true),
    );
    const address = `127.0.0.1:${port}`;

    const clientOf = (name: string): v1.CoordinatorServiceClient => {
      const Client = loadSamsaProto().proto.samsa.v1.CoordinatorService;
      const client = new Client(address, grpc.credentials.createSsl(file('ca.crt'), file(`${name}.key`), file(`${name}.crt`)));
      onTestFinished(() => client.close());
      return client;
    };
    const principals = async (client: v1.CoordinatorServiceClient, calls: number): Promise<string[]> => {
      const seen: string[] = [];
      for (let i = 0; i < calls; i++) {
        const res = await callUnary<v1.FindCoordinatorResponse__Output>(address, { timeoutMs: 20_000 }, (o, cb) =>
          client.findCoordinator({ groupId: 'g' }, o, cb),
        );
        seen.push(res.host);
      }
      return seen;
    };

    const alice = clientOf('alice');
    const bob = clientOf('bob');
    expect(await principals(alice, 4)).toEqual(Array(4).fill('User:alice'));
    expect(await principals(bob, 3)).toEqual(Array(3).fill('User:bob'));
    expect(await principals(alice, 2)).toEqual(Array(2).fill('User:alice'));
    // The server's side of the two connections (the clients' sockets ask too, for their own reasons):
    // one conversion each (without the memo: 6 and 3, one per call).
    const serverSide = [...conversions].filter(([socket]) => socket.localPort === port).map(([, n]) => n);
    expect(serverSide).toEqual([1, 1]);
  });
});

/**
 * The raw listener step (libs/service socket-listener.ts, the Kafka gateway's listener) without a
 * service process: real TCP and TLS servers on 127.0.0.1, a client per case. The listener owns its
 * connections: closing the Resources stack stops accepting and ends every connection, including
 * a peer that never finished (or began) its TLS handshake; a port taken fails the step and leaves
 * nothing open. Certificates: test/unit/rpc/fixtures/tls (a throwaway CA, server cert for 127.0.0.1).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Resources, serveSockets, type SocketListenerOptions } from '../../../libs/service/index.js';
import { createLogger } from '../../../libs/telemetry/index.js';

const logger = createLogger('test', 'socket-listener', 'silent');
const fixture = (name: string): Buffer => readFileSync(join(import.meta.dirname, '..', 'rpc', 'fixtures', 'tls', name));

/** A listener whose connections echo what they read, upper-cased; `accepted` lists what accept() was given. */
async function echoListener(
  resources: Resources,
  options: Partial<SocketListenerOptions> = {},
): Promise<{ port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const { port } = await serveSockets(resources, {
    name: 'test listener',
    host: '127.0.0.1',
    port: 0,
    accept: (socket) => {
      accepted.push(socket);
      socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
      socket.on('error', () => undefined);
    },
    logger,
    ...options,
  });
  return { port, accepted };
}

function connected(socket: Socket, event: 'connect' | 'secureConnect'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves once the peer has closed the connection (an error on the way is part of being closed). */
function closedByPeer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

function reply(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()));
    socket.write(text);
  });
}

/** How a new TCP connection to the port ends: 'connected' or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('serveSockets', () => {
  it('plaintext: binds a free port, hands each connection to accept, and closing ends them and the port', async () => {
    const resources = new Resources(logger);
    onTestFinished(() => resources.closeAll());
    const { port, accepted } = await echoListener(resources);
    expect(port).toBeGreaterThan(0);
    const a = await connected(connect({ host: '127.0.0.1', port }), 'connect');
    const b = await connected(connect({ host: '127.0.0.1', port }), 'connect');
    expect(await reply(a, 'kafka')).toBe('KAFKA');
    expect(await reply(b, 'samsa')).toBe('SAMSA');
    expect(accepted).toHaveLength(2);
    expect(accepted.some((s) => s instanceof TLSSocket)).toBe(false);
    const aClosed = closedByPeer(a);
    const bClosed = closedByPeer(b);
    await resources.closeAll();
    await Promise.all([aClosed, bClosed]);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('TLS: accept gets the TLS socket once handshaken, and closing ends it', async () => {
    const resources = new Resources(logger);
    onTestFinished(() => resources.closeAll());
    const { port, accepted } = await echoListener(resources, { tls: { cert: fixture('server.crt'), key: fixture('server.key') } });
    const client = await connected(tlsConnect({ host: '127.0.0.1', port, ca: fixture('ca.crt') }), 'secureConnect');
    expect(await reply(client, 'over tls')).toBe('OVER TLS');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toBeInstanceOf(TLSSocket);
    const closed = closedByPeer(client);
    await resources.closeAll();
    await closed;
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('TLS: a peer that never starts its handshake is not handed to accept and does not hold the stop up', async () => {
    const resources = new Resources(logger);
    const { port, accepted } = await echoListener(resources, { tls: { cert: fixture('server.crt'), key: fixture('server.key') } });
    // Plain TCP to the TLS port, nothing sent: the server waits for a ClientHello (Node's
    // handshake timeout is 120 s, beyond this test's limit, so only the listener's closer ends it).
    const silent = await connected(connect({ host: '127.0.0.1', port }), 'connect');
    onTestFinished(() => void silent.destroy());
    const closed = closedByPeer(silent);
    // The server has the connection once a round trip on another one has completed.
    const probe = await connected(tlsConnect({ host: '127.0.0.1', port, ca: fixture('ca.crt') }), 'secureConnect');
    expect(await reply(probe, 'x')).toBe('X');
    expect(accepted).toHaveLength(1);
    await resources.closeAll();
    await closed;
  });

  it('a port already taken fails the step with the listener and the address, and leaves nothing open', async () => {
    const first = new Resources(logger);
    onTestFinished(() => first.closeAll());
    const { port } = await echoListener(first);
    const second = new Resources(logger);
    await expect(echoListener(second, { name: 'Kafka listener', port })).rejects.toThrow(
      `Kafka listener cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`,
    );
    await second.closeAll();
    // The first listener still serves.
    expect(await tryConnect(port)).toBe('connected');
  });

  it('its closer sits in the stack: what was registered after it closes before it, what before it after', async () => {
    const steps: string[] = [];
    const resources = new Resources(logger);
    resources.defer('upstream', () => void steps.push('upstream closed'));
    const { port } = await serveSockets(resources, {
      name: 'test listener',
      host: '127.0.0.1',
      port: 0,
      accept: (socket) => {
        socket.on('error', () => undefined);
        socket.on('close', () => steps.push('connection closed'));
        socket.write('hello');
      },
      logger,
    });
    resources.defer('groups', () => void steps.push('groups closed'));
    const client = connect({ host: '127.0.0.1', port });
    const closed = closedByPeer(client);
    await new Promise((resolve) => client.once('data', resolve));
    await resources.closeAll();
    await closed;
    expect(steps).toEqual(['groups closed', 'connection closed', 'upstream closed']);
  });
});

/**
 * The one client pool (libs/rpc/client-pool.ts): one client per service and address, a client
 * closed by someone else replaced, a failing channel nobody asks for closed after idleMs (and not
 * before), a connected one never, and close() owned by the creator. Real channels to a real
 * loopback server and to a port nothing listens on; time moves by a ManualClock, never by waiting
 * on the wall clock.
 */
import * as grpc from '@grpc/grpc-js';
import { createServer as createTcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool, bindServer, createServer, shutdownServer } from '../../../libs/rpc/index.js';
import { ManualClock } from '../../../libs/runtime/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function pool(clock: ManualClock, idleMs = 1_000): ClientPool {
  const p = new ClientPool({ clock, idleMs, sweepEveryMs: 0, closedError: () => new Error('closed by its owner') });
  cleanups.push(() => p.close());
  return p;
}

/** A loopback port nothing listens on (taken, then given back). */
async function deadAddress(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** Connects `client`'s channel and waits until it is in `want`. */
async function reach(client: grpc.Client, want: grpc.connectivityState): Promise<void> {
  const channel = client.getChannel();
  let state = channel.getConnectivityState(true);
  while (state !== want) {
    await new Promise<void>((resolve, reject) => channel.watchConnectivityState(state, Infinity, (err) => (err ? reject(err) : resolve())));
    state = channel.getConnectivityState(true);
  }
}

describe('ClientPool', () => {
  it('hands out one client per service and address, and replaces one closed by someone else', () => {
    const p = pool(new ManualClock());
    const a = p.broker('127.0.0.1:1');
    expect(p.broker('127.0.0.1:1')).toBe(a);
    expect(p.broker('127.0.0.1:2')).not.toBe(a);
    expect(p.coordinator('127.0.0.1:1')).not.toBe(a);
    expect(p.size).toBe(3);
    a.close();
    const b = p.broker('127.0.0.1:1');
    expect(b).not.toBe(a);
    expect(b.getChannel().getConnectivityState(false)).not.toBe(grpc.connectivityState.SHUTDOWN);
    expect(p.size).toBe(3);
  });

  it('closes a failing channel nobody asked for during idleMs, and not before', async () => {
    const clock = new ManualClock(1_000_000);
    const p = pool(clock, 1_000);
    const address = await deadAddress();
    const client = p.broker(address);
    await reach(client, grpc.connectivityState.TRANSIENT_FAILURE);

    clock.advance(999);
    expect(p.sweep()).toBe(0);
    // Asked for again: its idle time starts over.
    expect(p.broker(address)).toBe(client);
    clock.advance(999);
    expect(p.sweep()).toBe(0);

    clock.advance(1);
    expect(p.sweep()).toBe(1);
    expect(client.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.SHUTDOWN);
    expect(p.size).toBe(0);
    expect(p.broker(address)).not.toBe(client);
  });

  it('never closes a connected channel, however long nobody asks for it', async () => {
    const server = createServer();
    const port = await bindServer(server, '127.0.0.1', 0);
    cleanups.push(() => shutdownServer(server, 1000));
    const clock = new ManualClock();
    const p = pool(clock, 1_000);
    const client = p.controller(`127.0.0.1:${port}`);
    await reach(client, grpc.connectivityState.READY);
    clock.advance(60 * 60_000);
    expect(p.sweep()).toBe(0);
    expect(p.controller(`127.0.0.1:${port}`)).toBe(client);
  });

  it('close() closes every channel, and asks after it throw the creator error', () => {
    const p = pool(new ManualClock());
    const clients = [p.broker('127.0.0.1:1'), p.replication('127.0.0.1:1'), p.controller('127.0.0.1:1')];
    p.close();
    for (const c of clients) expect(c.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.SHUTDOWN);
    expect(() => p.broker('127.0.0.1:1')).toThrow('closed by its owner');
    p.close();
  });

  it('without a closedError, an ask after close() is NOT_READY', () => {
    const p = new ClientPool({ sweepEveryMs: 0 });
    p.close();
    expect(() => p.coordinator('127.0.0.1:1')).toThrow(expect.objectContaining({ reason: 'NOT_READY' }));
  });
});

/**
 * A Samsa gRPC server opens a wide HTTP/2 receive window (libs/rpc/server.ts): a client that
 * connects sees the per-stream window in the server's SETTINGS and the connection window raised
 * by the server's WINDOW_UPDATE. Guards the reach into grpc-js internals: if a grpc-js upgrade
 * drops them, this fails instead of produce going quietly slow. Loopback only, no child process.
 */
import { connect, type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bindServer, createServer, shutdownServer, RECEIVE_WINDOW_BYTES } from '../../../libs/rpc/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('gRPC server receive window', () => {
  it('advertises the wide per-stream window and opens the connection window as wide', async () => {
    const server = createServer();
    const port = await bindServer(server, '127.0.0.1', 0);
    cleanups.push(() => shutdownServer(server, 1000));
    const client: ClientHttp2Session = connect(`http://127.0.0.1:${port}`);
    cleanups.push(() => void client.destroy());
    await new Promise<void>((resolve, reject) => {
      client.once('remoteSettings', () => resolve());
      client.once('error', reject);
    });
    expect(client.remoteSettings.initialWindowSize).toBe(RECEIVE_WINDOW_BYTES);
    // The server's WINDOW_UPDATE for the connection follows its SETTINGS.
    await vi.waitFor(() => expect(client.state.remoteWindowSize).toBe(RECEIVE_WINDOW_BYTES), { timeout: 30_000 });
  });
});

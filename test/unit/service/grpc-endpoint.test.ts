/**
 * The gRPC server step every cluster member shares (libs/service grpc-endpoint.ts) and the stop
 * the lifecycle runs around it (lifecycle.ts stopService), without a service process: a real server
 * on 127.0.0.1 (plaintext, this process's default transport), health as grpc.health.v1 answers it,
 * handlers left out answering UNIMPLEMENTED, in-flight calls finishing on the graceful stop, and
 * the stop's order: hand over while SERVING, NOT_SERVING, drain, then the resources.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Resources, serveGrpc, type GrpcEndpoint } from '../../../libs/service/index.js';
import { stopService } from '../../../libs/service/lifecycle.js';
import { callUnary, checkHealth, coordinatorClient, unary, type v1 } from '../../../libs/rpc/index.js';
import { createLogger } from '../../../libs/telemetry/index.js';

const logger = createLogger('test', 'grpc-endpoint', 'silent');
const SERVICE = 'samsa.v1.CoordinatorService';

/** A coordinator endpoint whose FindCoordinator answers once release() is called; `arrived` when a call reached it. */
async function endpointWithFindCoordinator(
  resources: Resources,
): Promise<{ endpoint: GrpcEndpoint; address: string; release: () => void; arrived: Promise<void> }> {
  const waiting: (() => void)[] = [];
  let open = false;
  let arrive = (): void => undefined;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const endpoint = await serveGrpc(resources, {
    host: '127.0.0.1',
    port: 0,
    graceMs: 30_000,
    services: [
      {
        service: 'CoordinatorService',
        handlers: {
          FindCoordinator: unary(async (req) => {
            arrive();
            if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
            return { coordinatorId: 7, host: `for-${req.groupId}`, port: 1 };
          }),
        },
      },
    ],
  });
  return {
    endpoint,
    address: `127.0.0.1:${endpoint.port}`,
    arrived,
    release: () => {
      open = true;
      for (const w of waiting.splice(0)) w();
    },
  };
}

function findCoordinator(address: string, groupId: string): Promise<v1.FindCoordinatorResponse__Output> {
  const client = coordinatorClient(address);
  onTestFinished(() => client.close());
  return callUnary(address, { timeoutMs: 20_000 }, (o, cb) => client.findCoordinator({ groupId }, o, cb));
}

describe('serveGrpc', () => {
  it('binds a free port, reports NOT_SERVING until told, for the server and each service, and serves the handlers given', async () => {
    const resources = new Resources(logger);
    onTestFinished(() => resources.closeAll());
    const { endpoint, address, release } = await endpointWithFindCoordinator(resources);
    release();
    expect(endpoint.port).toBeGreaterThan(0);
    expect(await checkHealth(address)).toBe('NOT_SERVING');
    expect(await checkHealth(address, SERVICE)).toBe('NOT_SERVING');
    endpoint.setHealth('SERVING');
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await checkHealth(address, SERVICE)).toBe('SERVING');
    // Health knows only the services served (the check of another fails).
    expect(await checkHealth(address, 'samsa.v1.BrokerService')).toBe('UNREACHABLE');
    expect(await findCoordinator(address, 'g')).toMatchObject({ coordinatorId: 7, host: 'for-g' });
    // A method of the service without a handler.
    const client = coordinatorClient(address);
    onTestFinished(() => client.close());
    const err = await new Promise<grpc.ServiceError | null>((resolve) => client.listGroups({}, (e) => resolve(e)));
    expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
    endpoint.setHealth('NOT_SERVING');
    expect(await checkHealth(address)).toBe('NOT_SERVING');
  });

  it('closing the resources lets an in-flight call finish, then the port is closed', async () => {
    const resources = new Resources(logger);
    const { address, release, arrived } = await endpointWithFindCoordinator(resources);
    const inFlight = findCoordinator(address, 'slow');
    await arrived;
    const closed = resources.closeAll();
    release();
    expect(await inFlight).toMatchObject({ host: 'for-slow' });
    await closed;
    expect(await checkHealth(address, '', 2_000)).toBe('UNREACHABLE');
  });

  it('a port already taken fails the step with the address, and what it made is closed with the rest', async () => {
    const first = new Resources(logger);
    onTestFinished(() => first.closeAll());
    const { endpoint } = await endpointWithFindCoordinator(first);
    const second = new Resources(logger);
    await expect(
      serveGrpc(second, {
        host: '127.0.0.1',
        port: endpoint.port,
        graceMs: 1_000,
        services: [{ service: 'ControllerService', handlers: {} }],
      }),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${endpoint.port}`);
    await second.closeAll();
  });
});

describe('stopService (the lifecycle stop)', () => {
  it('hands over while SERVING, then NOT_SERVING, then drains, then closes the resources last opened first', async () => {
    const steps: string[] = [];
    const resources = new Resources(logger);
    resources.defer('first', () => void steps.push('close first'));
    resources.defer('second', () => void steps.push('close second'));
    const endpoint: GrpcEndpoint = { port: 1, setHealth: (s) => void steps.push(s) };
    await stopService(
      {
        endpoint,
        handOver: async () => void steps.push('hand over'),
        drain: async () => void steps.push('drain'),
      },
      resources,
    );
    expect(steps).toEqual(['hand over', 'NOT_SERVING', 'drain', 'close second', 'close first']);
  });

  it('a failing hand-over still closes every resource, and the failure is the stop’s', async () => {
    const steps: string[] = [];
    const resources = new Resources(logger);
    resources.defer('only', () => void steps.push('closed'));
    const failed = stopService(
      {
        handOver: () => Promise.reject(new Error('controller unreachable')),
        drain: async () => void steps.push('drain'),
      },
      resources,
    );
    await expect(failed).rejects.toThrow('controller unreachable');
    expect(steps).toEqual(['closed']);
  });
});

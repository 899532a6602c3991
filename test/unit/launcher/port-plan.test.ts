/**
 * The port plan of `npm start`: with the defaults no two processes share a port whatever the
 * counts; ports given as flags are refused, with both processes named, exactly when they would
 * make two ranges meet or leave 1-65535.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, planPorts, portsOf, PortPlanError, type PortRequest } from '../../../tools/launcher/port-plan.js';

const counts = fc.record({
  brokers: fc.integer({ min: 1, max: 50 }),
  controllers: fc.integer({ min: 1, max: 9 }),
  coordinators: fc.integer({ min: 0, max: 9 }),
});

/** The layout written out independently of planPorts: every port with its owner. */
function layout(r: PortRequest): { port: number; owner: string }[] {
  const etcd = r.etcdPort ?? DEFAULT_PORTS.etcd;
  const out = [
    { port: etcd, owner: 'etcd' },
    { port: r.etcdPeerPort ?? etcd + 1, owner: 'etcd (peer)' },
  ];
  for (let i = 0; i < r.controllers; i++)
    out.push({ port: (r.controllerPort ?? DEFAULT_PORTS.controller) - 2 * i, owner: `controller-${i + 1}` });
  for (let i = 0; i < r.brokers; i++) out.push({ port: (r.brokerPort ?? DEFAULT_PORTS.broker) + i, owner: `broker-${i + 1}` });
  for (let i = 0; i < r.coordinators; i++)
    out.push({ port: (r.coordinatorPort ?? DEFAULT_PORTS.coordinator) - 2 * i, owner: `coordinator-${i + 1}` });
  const services = out.slice(2).map((s) => s.owner);
  services.forEach((name, i) => out.push({ port: (r.metricsPort ?? DEFAULT_PORTS.metrics) + i, owner: `${name} /metrics` }));
  return out;
}

describe('planPorts', () => {
  it('keeps the single-instance ports every service defaults to', () => {
    const plan = planPorts({ brokers: 3, controllers: 1, coordinators: 1 });
    expect(plan).toEqual({
      etcd: { client: 2379, peer: 2380 },
      controllers: [9090],
      brokers: [9092, 9093, 9094],
      coordinators: [9091],
      metrics: { controllers: [9464], brokers: [9465, 9466, 9467], coordinators: [9468] },
    });
  });

  it('gives a second controller and a second coordinator ports of their own (issue 12: the second controller took 9091)', () => {
    const plan = planPorts({ brokers: 3, controllers: 2, coordinators: 2 });
    expect(plan.controllers).toEqual([9090, 9088]);
    expect(plan.coordinators).toEqual([9091, 9089]);
    expect(plan.brokers).toEqual([9092, 9093, 9094]);
  });

  it('with the default first ports, never uses a port twice, whatever the counts', () => {
    fc.assert(
      fc.property(counts, (c) => {
        const ports = portsOf(planPorts(c));
        expect(new Set(ports).size).toBe(ports.length);
        expect(ports).toHaveLength(2 + 2 * (c.brokers + c.controllers + c.coordinators));
      }),
    );
  });

  it('with any first ports, either plans distinct ports in 1-65535 as laid out, or refuses exactly when the layout clashes', () => {
    // First ports drawn close together so that clashes are common.
    const near = fc.option(
      fc.integer({ min: 1, max: 160 }).map((p) => 9000 + p),
      { nil: undefined },
    );
    const edge = fc.option(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 65500, max: 65535 })), { nil: undefined });
    const base = fc.oneof(near, edge);
    const request = fc.record({
      brokers: fc.integer({ min: 1, max: 50 }),
      controllers: fc.integer({ min: 1, max: 9 }),
      coordinators: fc.integer({ min: 0, max: 9 }),
      etcdPort: base,
      etcdPeerPort: base,
      controllerPort: base,
      coordinatorPort: base,
      brokerPort: base,
      metricsPort: base,
    });
    fc.assert(
      fc.property(request, (r) => {
        const expected = layout(r);
        const ports = expected.map((e) => e.port);
        const outOfRange = expected.find((e) => e.port < 1 || e.port > 65535);
        const clashes = new Set(ports).size !== ports.length;
        let plan;
        try {
          plan = planPorts(r);
        } catch (err) {
          expect(err).toBeInstanceOf(PortPlanError);
          const message = (err as Error).message;
          if (outOfRange) {
            expect(message).toContain(`${outOfRange.owner} would listen on port ${outOfRange.port}`);
          } else {
            expect(clashes).toBe(true);
            // Names the port and both of its would-be owners.
            const port = Number(/^port (\d+) would be used twice/.exec(message)?.[1]);
            const owners = expected.filter((e) => e.port === port).map((e) => e.owner);
            expect(owners.length).toBeGreaterThan(1);
            expect(message).toContain(`by ${owners[0]} (from`);
            expect(message).toContain(`by ${owners[1]} (from`);
          }
          return;
        }
        expect(outOfRange).toBeUndefined();
        expect(clashes).toBe(false);
        expect(portsOf(plan)).toEqual(ports);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the flags behind a clash, saying which are defaults', () => {
    expect(() => planPorts({ brokers: 3, controllers: 1, coordinators: 1, controllerPort: 9093 })).toThrow(
      'port 9093 would be used twice: by controller-1 (from --controller-port 9093) and by broker-2 (from --broker-port, default 9092)',
    );
    expect(() => planPorts({ brokers: 1, controllers: 1, coordinators: 0, etcdPort: 9089 })).toThrow(
      'port 9090 would be used twice: by etcd (peer) (from --etcd-peer-port, default --etcd-port + 1) and by controller-1 (from --controller-port, default 9090)',
    );
    expect(() => planPorts({ brokers: 3, controllers: 1, coordinators: 1, brokerPort: 65534 })).toThrow(
      'broker-3 would listen on port 65536 (from --broker-port 65534), outside 1-65535',
    );
    expect(() => planPorts({ brokers: 1, controllers: 3, coordinators: 0, controllerPort: 4 })).toThrow(
      'controller-3 would listen on port 0 (from --controller-port 4), outside 1-65535',
    );
  });
});

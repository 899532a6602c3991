/**
 * The shutdown stack every service shares (libs/service resources.ts): reverse order, every step
 * runs even when one fails, and closing twice closes once.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../../libs/service/index.js';
import { createLogger } from '../../../libs/telemetry/index.js';

const logger = createLogger('test', 'resources', 'silent');

describe('Resources', () => {
  it('closes the last opened first, awaiting each step before the next', async () => {
    const order: string[] = [];
    const r = new Resources(logger);
    r.defer('etcd', () => {
      order.push('etcd');
    });
    const server = r.own('server', { name: 'server' }, async (s) => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push(s.name);
    });
    r.defer('registration', () => {
      order.push('registration');
    });
    expect(server.name).toBe('server');
    await r.closeAll();
    expect(order).toEqual(['registration', 'server', 'etcd']);
  });

  it('runs every step when one fails, and closes only once however often asked', async () => {
    const order: string[] = [];
    const r = new Resources(logger);
    r.defer('a', () => {
      order.push('a');
    });
    r.defer('b', () => {
      throw new Error('b failed');
    });
    r.defer('c', () => Promise.reject(new Error('c failed')));
    await Promise.all([r.closeAll(), r.closeAll()]);
    await r.closeAll();
    expect(order).toEqual(['a']);
  });

  it('refuses a closer registered after closing began (it would never run)', async () => {
    const r = new Resources(logger);
    await r.closeAll();
    expect(() => r.defer('late', () => undefined)).toThrow(/already closing/);
  });
});

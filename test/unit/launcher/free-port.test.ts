/** Ports for launched processes come from below the kernel's ephemeral range, free, never twice. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRangeStart, freePort } from '../../../tools/launcher/free-port.js';

describe('freePort', () => {
  it('reads the start of the ephemeral range, and falls back to 32768 when it cannot', () => {
    expect(ephemeralRangeStart(() => '32768\t60999\n')).toBe(32768);
    expect(ephemeralRangeStart(() => '40000 65000')).toBe(40000);
    expect(ephemeralRangeStart(() => 'garbage')).toBe(32768);
    expect(
      ephemeralRangeStart(() => {
        throw new Error('no /proc');
      }),
    ).toBe(32768);
  });

  it('hands out distinct bindable ports below the ephemeral range, skipping one in use', async () => {
    const top = ephemeralRangeStart();
    const ports = new Set<number>();
    for (let i = 0; i < 20; i++) ports.add(await freePort());
    expect(ports.size).toBe(20);
    for (const p of ports) expect(p).toBeLessThan(top);

    // A port in use is skipped: the first pick lands on it, the next try gets another one.
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (busy.address() as { port: number }).port;
      if (taken < top) {
        const picks = [(taken - 10_000 + 0.5) / (top - 10_000), 0.5];
        const port = await freePort('127.0.0.1', () => picks.shift() ?? Math.random());
        expect(port).not.toBe(taken);
      }
    } finally {
      busy.close();
    }
  });
});

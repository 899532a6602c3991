import { describe, it, expect } from 'vitest';
import { onShutdown } from '../../../libs/rpc/shutdown-fanout.js';

describe('onShutdown', () => {
  it('hangs one listener on the shared signal for any number of calls, runs those still registered once, and none that left', () => {
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    let added = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      add(...args);
    };
    const ran: number[] = [];
    const offs = Array.from({ length: 1000 }, (_, i) => onShutdown(controller.signal, () => ran.push(i)));
    for (let i = 0; i < 1000; i += 2) offs[i]!();
    controller.abort();
    controller.abort();
    expect(added).toBe(1);
    expect(ran).toEqual(Array.from({ length: 500 }, (_, i) => 2 * i + 1));
    let late = 0;
    onShutdown(controller.signal, () => late++);
    expect(late).toBe(1);
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
  });
});

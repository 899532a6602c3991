import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../libs/runtime/index.js';

/** A task that runs until `release` is called, counting how many run at once. */
function gatedTasks(): { task: () => Promise<void>; releaseAll: () => void; peak: () => number; started: () => number } {
  let running = 0;
  let peak = 0;
  let started = 0;
  const gates: (() => void)[] = [];
  return {
    task: async () => {
      running++;
      started++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    },
    releaseAll: () => gates.splice(0).forEach((g) => g()),
    peak: () => peak,
    started: () => started,
  };
}

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once and the rest in the order they came', async () => {
    const sem = new Semaphore(3);
    const gated = gatedTasks();
    const order: number[] = [];
    const all = Array.from({ length: 10 }, (_, i) =>
      sem.run(async () => {
        order.push(i);
        await gated.task();
      }),
    );
    await turns();
    expect(gated.started()).toBe(3);
    expect(sem.active).toBe(3);
    expect(sem.queued).toBe(7);
    while (gated.started() < 10 || sem.active > 0) {
      gated.releaseAll();
      await turns();
    }
    await Promise.all(all);
    expect(gated.peak()).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sem.active).toBe(0);
  });

  it('a failing task frees its place and fails only its caller', async () => {
    const sem = new Semaphore(1);
    const failed = sem.run(() => Promise.reject(new Error('boom')));
    const next = sem.run(() => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    expect(sem.active).toBe(0);
    expect(sem.queued).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});

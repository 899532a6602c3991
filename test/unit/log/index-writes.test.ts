/**
 * Index writes behind the append: adding an entry does not wait for its write, writes and the
 * operations that wait (truncate, sync) run in call order, and a failed write is thrown by the
 * next operation instead of being lost.
 */
import { describe, expect, it } from 'vitest';
import { IndexWrites } from '../../../libs/log/index-writes.js';

function gate(): { open: () => void; wait: Promise<void> } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

describe('IndexWrites', () => {
  it('queues a write without waiting for it, and runs what waits after every write queued before', async () => {
    const writes = new IndexWrites();
    const order: string[] = [];
    const g = gate();
    writes.behind(async () => {
      await g.wait;
      order.push('write 1');
    });
    writes.behind(() => {
      order.push('write 2');
      return Promise.resolve();
    });
    // Nothing written yet: behind() returned at once.
    expect(order).toEqual([]);
    const synced = writes.now(() => {
      order.push('sync');
      return Promise.resolve('done');
    });
    g.open();
    await expect(synced).resolves.toBe('done');
    expect(order).toEqual(['write 1', 'write 2', 'sync']);
  });

  it('throws a failed write from the next operation, once', async () => {
    const writes = new IndexWrites();
    writes.behind(() => Promise.reject(new Error('EIO: the disk said no')));
    await expect(writes.now(() => Promise.resolve())).rejects.toThrow('EIO');
    await expect(writes.now(() => Promise.resolve('fine'))).resolves.toBe('fine');
    writes.behind(() => Promise.reject(new Error('ENOSPC')));
    await writes.idle();
    expect(() => writes.behind(() => Promise.resolve())).toThrow('ENOSPC');
  });
});

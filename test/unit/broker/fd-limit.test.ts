import { describe, it, expect } from 'vitest';
import {
  logFileBudget,
  logFilePoolForBroker,
  parseOpenFilesLimit,
  raiseOpenFilesLimit,
  reservedDescriptors,
} from '../../../services/broker/fd-limit.js';
import { loadBrokerConfig } from '../../../services/broker/config.js';
import { createLogger } from '../../../libs/telemetry/index.js';

const limits = (soft: string, hard: string): string =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax processes             63704                63704                processes\nMax open files            ${soft.padEnd(21)}${hard.padEnd(21)}files\n`;

describe('broker open-files limit', () => {
  it('reads soft and hard "Max open files" from /proc/self/limits, unlimited as Infinity', () => {
    expect(parseOpenFilesLimit(limits('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
    expect(parseOpenFilesLimit(limits('unlimited', 'unlimited'))).toEqual({ soft: Infinity, hard: Infinity });
    expect(parseOpenFilesLimit('Max processes 1 1 processes\n')).toBeUndefined();
  });

  it('sizes the log file pool under the limit, leaving a reserve for sockets and the runtime', () => {
    expect(reservedDescriptors(256)).toBe(128);
    expect(reservedDescriptors(20_000)).toBe(5000);
    expect(logFileBudget(16_384, 256)).toBe(128);
    expect(logFileBudget(16_384, 20_000)).toBe(15_000);
    expect(logFileBudget(16_384, 1_048_576)).toBe(16_384);
    expect(logFileBudget(16_384, Infinity)).toBe(16_384);
    expect(logFileBudget(16_384, 64)).toBe(16);
  });

  it('raises the soft limit to the hard one with prlimit and reads back what it got', async () => {
    let text = limits('1024', '4096');
    const calls: string[][] = [];
    const result = await raiseOpenFilesLimit({
      pid: 42,
      readLimits: async () => text,
      runPrlimit: async (args) => {
        calls.push([...args]);
        text = limits('4096', '4096');
      },
    });
    expect(calls).toEqual([['--pid=42', '--nofile=4096:4096']]);
    expect(result).toEqual({ before: { soft: 1024, hard: 4096 }, after: { soft: 4096, hard: 4096 } });
  });

  it('says why when it cannot, and goes on with the limit it has', async () => {
    const result = await raiseOpenFilesLimit({
      pid: 42,
      readLimits: async () => limits('1024', '4096'),
      runPrlimit: async () => {
        throw new Error('prlimit: failed to set the NOFILE resource limit: Operation not permitted');
      },
    });
    expect(result.after).toEqual({ soft: 1024, hard: 4096 });
    expect(result.problem).toMatch(/Operation not permitted/);
    const nothingToDo = await raiseOpenFilesLimit({
      pid: 1,
      readLimits: async () => limits('4096', '4096'),
      runPrlimit: async () => expect.unreachable(),
    });
    expect(nothingToDo.problem).toBeUndefined();
  });

  it('raises the real limit of this process (or explains why not) without throwing', async () => {
    const result = await raiseOpenFilesLimit();
    if (!result.problem) expect(result.after?.soft).toBe(result.after?.hard);
    else expect(result.problem.length).toBeGreaterThan(0);
  });

  it("gives the broker's logs one tail cache of SAMSA_TAIL_CACHE_BYTES (4 MiB by default)", async () => {
    const deps = { pid: 1, readLimits: async () => limits('4096', '4096'), runPrlimit: async () => expect.unreachable() };
    const logger = createLogger('broker', 'test', 'silent');
    const byDefault = loadBrokerConfig(['--insecure'], {});
    expect(byDefault.tailCacheBytes).toBe(4 * 1024 * 1024);
    const set = loadBrokerConfig(['--insecure'], { SAMSA_TAIL_CACHE_BYTES: '1048576' });
    const { tailCache } = await logFilePoolForBroker(set.maxOpenLogFiles, set.tailCacheBytes, logger, deps);
    expect(tailCache.budgetBytes).toBe(1024 * 1024);
  });
});

import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, operatorFlags, setHeapGrowth } from '../../../libs/service/heap-growth.js';

describe('setHeapGrowth', () => {
  it('sets V8 heap growing percent when the command line names none', () => {
    const set: string[] = [];
    expect(setHeapGrowth(HEAP_GROWING_PERCENT, ['--enable-source-maps'], (f) => set.push(f))).toBe('--heap-growing-percent=100');
    expect(set).toEqual(['--heap-growing-percent=100']);
  });

  it("leaves an operator's own flag alone, in either spelling", () => {
    for (const argv of [['--heap-growing-percent=300'], ['--heap_growing_percent=50'], ['--heap-growing-percent', '20']]) {
      const set: string[] = [];
      expect(setHeapGrowth(100, argv, (f) => set.push(f))).toBeUndefined();
      expect(set).toEqual([]);
    }
  });

  it('sees a flag given through NODE_OPTIONS, which execArgv does not list', () => {
    const set: string[] = [];
    const flags = operatorFlags(['--enable-source-maps'], ' --max-old-space-size=512  --heap-growing-percent=300 ');
    expect(flags).toEqual(['--enable-source-maps', '--max-old-space-size=512', '--heap-growing-percent=300']);
    expect(setHeapGrowth(100, flags, (f) => set.push(f))).toBeUndefined();
    expect(setHeapGrowth(100, operatorFlags([], ''), (f) => set.push(f))).toBe('--heap-growing-percent=100');
    expect(set).toEqual(['--heap-growing-percent=100']);
  });

  it('refuses a factor that is not a positive integer', () => {
    expect(() => setHeapGrowth(0, [], () => undefined)).toThrow(RangeError);
    expect(() => setHeapGrowth(1.5, [], () => undefined)).toThrow(RangeError);
  });

  it('really sets the flag in this process (V8 accepts it)', () => {
    expect(() => setHeapGrowth(HEAP_GROWING_PERCENT, [])).not.toThrow();
  });
});

/**
 * The launcher's watch on whoever started it: its parent, and npm above the `sh -c` npm runs
 * scripts in (npm forwards a supervisor's SIGTERM to that sh only, and dies alone on SIGHUP).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineageBroken, lineageOf, ParentWatch, type ProcessTable } from '../../../tools/launcher/parent-watch.js';

/** A process table to edit: pid -> [parent pid, command]; the launcher is pid 100. */
function table(rows: Record<number, [number, string]>): ProcessTable & { rows: Record<number, [number, string]> } {
  return {
    rows,
    ownParent: () => rows[100]?.[0] ?? 1,
    parentOf: (pid) => rows[pid]?.[0],
    commandOf: (pid) => rows[pid]?.[1],
  };
}

const underNpm = { npm_lifecycle_event: 'start' };

describe('lineageOf', () => {
  it('watches npm above the shell npm runs the script in', () => {
    const t = table({ 100: [50, 'node'], 50: [40, 'sh'], 40: [1, 'npm start'] });
    expect(lineageOf(t, underNpm)).toEqual({ parent: 50, packageManager: 40 });
  });

  it('watches only the parent when not run by a package manager, or when the parent is no shell', () => {
    const t = table({ 100: [50, 'node'], 50: [40, 'bash'], 40: [1, 'sshd'] });
    expect(lineageOf(t, {})).toEqual({ parent: 50 });
    const exec = table({ 100: [40, 'node'], 40: [1, 'npm start'] });
    expect(lineageOf(exec, underNpm)).toEqual({ parent: 40 });
  });

  it('watches no package manager above a shell that is an orphan already', () => {
    const t = table({ 100: [50, 'node'], 50: [1, 'sh'] });
    expect(lineageOf(t, underNpm)).toEqual({ parent: 50 });
  });
});

describe('lineageBroken', () => {
  it('says so when the parent exits (npm forwarded SIGTERM to its sh, which died)', () => {
    const t = table({ 100: [50, 'node'], 50: [40, 'sh'], 40: [1, 'npm start'] });
    const lineage = lineageOf(t, underNpm);
    expect(lineageBroken(lineage, t)).toBeUndefined();
    t.rows[100] = [1, 'node'];
    delete t.rows[50];
    expect(lineageBroken(lineage, t)).toContain('(pid 50) exited');
  });

  it('says so when npm exits and leaves its shell behind (SIGHUP to npm)', () => {
    const t = table({ 100: [50, 'node'], 50: [40, 'sh'], 40: [1, 'npm start'] });
    const lineage = lineageOf(t, underNpm);
    t.rows[50] = [1, 'sh'];
    delete t.rows[40];
    expect(lineageBroken(lineage, t)).toContain('(pid 40, e.g. npm) exited');
  });
});

describe('ParentWatch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls back once when the lineage breaks, and not after stop()', () => {
    vi.useFakeTimers();
    const t = table({ 100: [50, 'node'], 50: [40, 'sh'], 40: [1, 'npm start'] });
    const reasons: string[] = [];
    const watch = new ParentWatch((r) => reasons.push(r), { table: t, env: underNpm, intervalMs: 500 });
    watch.start();
    vi.advanceTimersByTime(5_000);
    expect(reasons).toEqual([]);
    t.rows[100] = [1, 'node'];
    vi.advanceTimersByTime(500);
    vi.advanceTimersByTime(5_000);
    expect(reasons).toHaveLength(1);

    const quiet: string[] = [];
    const stopped = new ParentWatch((r) => quiet.push(r), { table: t, env: {}, intervalMs: 500 });
    stopped.start();
    stopped.stop();
    t.rows[100] = [2, 'node'];
    vi.advanceTimersByTime(5_000);
    expect(quiet).toEqual([]);
  });
});

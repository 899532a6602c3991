import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepLogs, logTail, startFailure } from '../../../tools/launcher/index.js';

describe('what a failed start leaves to read', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const clusterDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-start-failure-'));
    dirs.push(dir, `${dir}-failed-start-logs`);
    return dir;
  };

  it('logTail gives the last lines of a log, and nothing for a missing one', () => {
    const dir = clusterDir();
    const file = join(dir, 'broker-1.log');
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(logTail(file, 3)).toBe('line 97\nline 98\nline 99');
    expect(logTail(join(dir, 'absent.log'))).toBe('');
  });

  it('a failed start copies the logs beside the cluster directory, so removing it loses nothing, and says where', () => {
    const dir = clusterDir();
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'broker-2.log'), 'EADDRINUSE\n');
    const err = startFailure(new Error('broker-2 exited during start; see x'), dir);
    rmSync(dir, { recursive: true, force: true });
    const kept = `${dir}-failed-start-logs`;
    expect(err.message).toBe(`the cluster did not start: broker-2 exited during start; see x\nits logs are kept in ${kept}`);
    expect((err.cause as Error).message).toBe('broker-2 exited during start; see x');
    expect(readFileSync(join(kept, 'broker-2.log'), 'utf8')).toBe('EADDRINUSE\n');
    expect(keepLogs(dir)).toBeUndefined();
  });
});

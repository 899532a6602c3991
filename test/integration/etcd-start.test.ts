/**
 * A starting etcd that never answers /health: the launcher's error says what it last heard and how
 * etcd's log ends, and the process is stopped rather than left for the rest of the test run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdProcess } from '../../tools/launcher/index.js';

const dirs: string[] = [];
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('EtcdProcess.start', () => {
  it('an etcd that runs but never answers /health: the error carries the last answer and the log tail, and the process is stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-etcd-start-'));
    dirs.push(dir);
    const bin = join(dir, 'bin');
    const pidFile = join(dir, 'pid');
    // Stands in for an etcd stuck before serving (a stalled disk): alive, logging, listening on nothing.
    mkdirSync(bin);
    writeFileSync(join(bin, 'etcd'), `#!/bin/sh\necho $$ > ${pidFile}\necho "stuck waiting for the disk" >&2\nexec sleep 60\n`, {
      mode: 0o755,
    });
    process.env.PATH = `${bin}:${savedPath ?? ''}`;

    const started = EtcdProcess.start({ dataDir: join(dir, 'data'), logFile: join(dir, 'etcd.log'), startTimeoutMs: 1_500 });
    await expect(started).rejects.toThrow(/last answer: .*(ECONNREFUSED|fetch failed|TypeError)[\s\S]*stuck waiting for the disk/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(false);
  });
});

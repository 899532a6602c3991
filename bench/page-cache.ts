/**
 * Evicting a topic's segment files from the OS page cache without root: `sync FILE...` writes
 * their dirty pages, then `dd iflag=nocache count=0` asks the kernel (posix_fadvise DONTNEED) to
 * drop their clean pages. Only these files are touched, unlike `echo 3 > /proc/sys/vm/drop_caches`,
 * which needs root and would slow every other process on a shared machine. `fincore` (util-linux)
 * tells how much stayed cached.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every segment file (*.log) of `topic` under the brokers' data dirs in the cluster dir. */
export function segmentFiles(clusterDir: string, topic: string): string[] {
  const files: string[] = [];
  for (const broker of readdirSync(clusterDir).filter((d) => d.startsWith('broker-'))) {
    const brokerDir = join(clusterDir, broker);
    for (const part of readdirSync(brokerDir).filter((d) => d.startsWith(`${topic}-`) && /^\d+$/.test(d.slice(topic.length + 1)))) {
      for (const f of readdirSync(join(brokerDir, part)).filter((n) => n.endsWith('.log'))) files.push(join(brokerDir, part, f));
    }
  }
  return files;
}

/** Drops the files' pages from the page cache; resolves with the bytes still cached (per fincore), or undefined if unknown. */
export async function evict(files: string[]): Promise<number | undefined> {
  if (files.length === 0) return 0;
  await run('sync', files, { timeout: 60_000 });
  for (const f of files) await run('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none'], { timeout: 30_000 });
  try {
    const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--output', 'RES', ...files], { timeout: 30_000 });
    return stdout
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => Number.isFinite(n))
      .reduce((a, b) => a + b, 0);
  } catch {
    return undefined;
  }
}

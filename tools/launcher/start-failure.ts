/**
 * What a failed start leaves to read. A service that exits while starting says why only in its log,
 * and the benchmarks remove their temp dir (logs included) however they end: three `npm run bench`
 * runs in session 7 failed with "broker exited during start" and nothing left to say why. So the
 * error carries the end of the service's log, and a cluster that fails to start copies its logs
 * beside its directory before the caller can remove it.
 */
import { closeSync, cpSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** The last `lines` lines of `file` (at most its last 8 KiB), or '' when it cannot be read. */
export function logTail(file: string, lines = 20): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, 8192);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `<dir>/logs` copied to `<dir>-failed-start-logs` (returned), or undefined when there is none or the copy fails. */
export function keepLogs(dir: string): string | undefined {
  const logs = join(dir, 'logs');
  if (!existsSync(logs)) return undefined;
  const kept = `${dir.replace(/\/+$/, '')}-failed-start-logs`;
  try {
    cpSync(logs, kept, { recursive: true });
    return kept;
  } catch {
    return undefined;
  }
}

/** The error a cluster's failed start is reported with: the cause's message, and where its logs are kept. */
export function startFailure(err: unknown, dir: string): Error {
  const kept = keepLogs(dir);
  const why = err instanceof Error ? err.message : String(err);
  const where = kept ? `its logs are kept in ${kept}` : `no logs were kept (none in ${join(dir, 'logs')})`;
  return new Error(`the cluster did not start: ${why}\n${where}`, { cause: err });
}

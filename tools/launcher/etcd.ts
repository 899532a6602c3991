/**
 * A real etcd server as a child process, on loopback ports, with its data in `dataDir`.
 * Uses the `etcd` binary on PATH (Debian: `apt-get install etcd-server`). A lifeline guard
 * (child.ts) stops it when the process that started it dies, even by SIGKILL.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Child, waitUntil } from './child.js';
import { freePort } from './free-port.js';
import { logTail } from './start-failure.js';

export interface EtcdOptions {
  dataDir: string;
  logFile: string;
  host?: string;
  clientPort?: number;
  peerPort?: number;
  /**
   * History etcd keeps (--auto-compaction-retention, periodic): default 1h. Without it etcd keeps
   * every revision, its db grows with every metadata write until the quota's NOSPACE alarm makes the
   * cluster read-only. Samsa's watchers reload when their revision was compacted away (PrefixMirror).
   */
  compactionRetention?: string;
  /** How long it has to answer /health (ETCD_START_TIMEOUT_MS). */
  startTimeoutMs?: number;
}

/**
 * How long a starting etcd has to answer /health. A single member elects itself in well under a
 * second, but its first fsyncs (WAL, bbolt) queue behind whatever the disk is flushing, on a test
 * machine the previous test's writes. CI once ran out of a 20 s bound here with no reason given (the
 * answer and the log tail are now in the error); 60 s leaves room and still ends a hung start.
 */
const ETCD_START_TIMEOUT_MS = 60_000;
const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/** etcd's history retention when not told otherwise (docs/operations.md). */
export const ETCD_COMPACTION_RETENTION = '1h';

export function findEtcdBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin'])) {
    const candidate = join(dir, 'etcd');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export class EtcdProcess {
  private constructor(
    readonly child: Child,
    readonly endpoint: string,
  ) {}

  static async start(options: EtcdOptions): Promise<EtcdProcess> {
    const binary = findEtcdBinary();
    if (!binary) {
      throw new Error('etcd is not installed: run `sudo apt-get install -y etcd-server` (Debian/Ubuntu) and try again');
    }
    const host = options.host ?? '127.0.0.1';
    const clientPort = options.clientPort ?? (await freePort(host));
    const peerPort = options.peerPort ?? (await freePort(host));
    const clientUrl = `http://${host}:${clientPort}`;
    const peerUrl = `http://${host}:${peerPort}`;
    const child = new Child({
      name: 'etcd',
      command: binary,
      args: [
        '--name',
        'samsa-etcd',
        '--data-dir',
        options.dataDir,
        '--listen-client-urls',
        clientUrl,
        '--advertise-client-urls',
        clientUrl,
        '--listen-peer-urls',
        peerUrl,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--initial-cluster',
        `samsa-etcd=${peerUrl}`,
        '--initial-cluster-state',
        'new',
        // Small snapshots/backend keep a dev/test etcd light; it holds only metadata.
        '--quota-backend-bytes',
        String(512 * 1024 * 1024),
        '--auto-compaction-mode',
        'periodic',
        '--auto-compaction-retention',
        options.compactionRetention ?? ETCD_COMPACTION_RETENTION,
      ],
      env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' },
      logFile: options.logFile,
      lifeline: 'guard',
    });
    child.start();
    const etcd = new EtcdProcess(child, `${host}:${clientPort}`);
    // What /health last answered: when the wait fails, that and etcd's log say why (CI once saw a
    // bare "timed out" here and nothing else to go on).
    let lastAnswer = 'no answer yet';
    try {
      await waitUntil(
        async () => {
          if (!child.running) {
            const tail = logTail(options.logFile);
            throw new Error(`etcd exited during start; see ${options.logFile}${tail ? `, which ends:\n${tail}` : ''}`);
          }
          try {
            // Bounded: a port held by a stopped process accepts and never answers.
            const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(HEALTH_PROBE_TIMEOUT_MS) });
            lastAnswer = `HTTP ${res.status} ${(await res.text()).trim()}`;
            return res.ok;
          } catch (err) {
            lastAnswer = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
            return false;
          }
        },
        options.startTimeoutMs ?? ETCD_START_TIMEOUT_MS,
        () => {
          const tail = logTail(options.logFile);
          return `etcd at ${clientUrl} to answer /health (last answer: ${lastAnswer}); its log ${options.logFile}${tail ? ` ends:\n${tail}` : ' is empty'}`;
        },
      );
    } catch (err) {
      // Not left running for the rest of the process: the caller never gets a handle to stop it.
      await child.stop(5_000);
      throw err;
    }
    return etcd;
  }

  stop(): Promise<void> {
    return this.child.stop(5_000);
  }
}

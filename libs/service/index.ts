/**
 * The lifecycle every Samsa process shares: build the pieces, run, and on SIGTERM/SIGINT/SIGHUP shut down
 * in order (the `stop` the service returned), then exit. A failure to start is logged with what to
 * do and exits 1. During shutdown a second SIGINT (Ctrl-C pressed again) exits at once; any other
 * signal is only logged: a signal sent to a whole process group and then again by the launcher
 * (tools/launcher) or a supervisor must not cut a clean shutdown short (their next step is SIGKILL).
 *
 * With SAMSA_LIFELINE=stdin (set by tools/launcher, which hands the service a stdin pipe it never
 * writes to), the end of stdin means the launcher is gone, maybe by SIGKILL: the service shuts down
 * as on SIGTERM rather than outlive it, and since nobody is left to send a second signal, exits by
 * itself if that takes longer than LIFELINE_GRACE_MS.
 */
import { shutdownTelemetry, type Logger } from '../telemetry/index.js';
import { ConfigError } from '../config/index.js';

export interface RunningService {
  /** Ordered, awaited shutdown: stop accepting, finish in-flight work, leave etcd, close files. */
  stop(): Promise<void>;
}

/** How long a service whose launcher died may take to shut down before it exits anyway. */
const LIFELINE_GRACE_MS = 15_000;

export async function runService(logger: Logger, start: () => Promise<RunningService>): Promise<void> {
  let running: RunningService | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      if (signal !== 'SIGINT') {
        logger.info({ signal }, 'already shutting down');
        return;
      }
      logger.warn({ signal }, 'second Ctrl-C during shutdown; exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const done = (running ? running.stop() : Promise.resolve()).finally(() => shutdownTelemetry());
    done.then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A closed terminal sends SIGHUP to the whole foreground group; its default would kill the
  // service without a clean shutdown.
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  if (process.env.SAMSA_LIFELINE === 'stdin') {
    let lifelineGone = false;
    const lifelineEnded = (): void => {
      if (lifelineGone) return;
      lifelineGone = true;
      const timer = setTimeout(() => {
        logger.error({ graceMs: LIFELINE_GRACE_MS }, 'launcher gone and shutdown still unfinished; exiting now');
        logger.flush();
        process.exit(1);
      }, LIFELINE_GRACE_MS);
      timer.unref();
      // Already stopping (a signal came first): let that finish, only bounded now.
      if (!stopping) shutdown('launcher exited (stdin lifeline closed)');
    };
    process.stdin.once('end', lifelineEnded);
    process.stdin.once('error', lifelineEnded);
    process.stdin.resume();
  }
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled promise rejection; this is a bug');
    logger.flush();
    process.exit(1);
  });
  try {
    running = await start();
    if (stopping) await running.stop();
  } catch (err) {
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, `failed to start: ${err instanceof Error ? err.message : String(err)}`);
    logger.flush();
    process.exit(1);
  }
}

/**
 * The lifecycle every Samsa process shares: build the pieces, run, and on SIGTERM/SIGINT shut down
 * in order (the `stop` the service returned), then exit. A failure to start is logged with what to
 * do and exits 1; a second signal during shutdown exits at once.
 */
import { shutdownTelemetry, type Logger } from '../telemetry/index.js';
import { ConfigError } from '../config/index.js';

export interface RunningService {
  /** Ordered, awaited shutdown: stop accepting, finish in-flight work, leave etcd, close files. */
  stop(): Promise<void>;
}

export async function runService(logger: Logger, start: () => Promise<RunningService>): Promise<void> {
  let running: RunningService | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown; exiting now');
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

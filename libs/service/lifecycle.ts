/**
 * The lifecycle every Samsa service process shares (docs/adr/0021-thin-services-and-their-lifecycle.md):
 *
 *   1. read the config once (flags and SAMSA_* variables); a bad one is logged with what to fix, exit 1;
 *   2. start(): build the pieces in order, registering how to close each on a Resources stack
 *      (its gRPC server through serveGrpc, grpc-endpoint.ts; the Kafka gateway's listener through
 *      serveSockets, socket-listener.ts); if start() throws, what it opened so far is closed in
 *      reverse order, the failure is logged with what to do, exit 1; once it has returned, the
 *      endpoint it returned is reported SERVING;
 *   3. on SIGTERM/SIGINT/SIGHUP: while everything still runs, the service's handOver() (give work
 *      to others while still SERVING), then NOT_SERVING, then its drain() (end streams, stop
 *      taking work); then every resource closed in reverse order of registration, telemetry
 *      flushed last, exit 0 (1 if a step failed).
 *
 * During shutdown a second SIGINT (Ctrl-C pressed again) exits at once; any other signal is only
 * logged: a signal sent to a whole process group and then again by the launcher (tools/launcher)
 * or a supervisor must not cut a clean shutdown short (their next step is SIGKILL).
 *
 * With SAMSA_LIFELINE=stdin (set by tools/launcher, which hands the service a stdin pipe it never
 * writes to), the end of stdin means the launcher is gone, maybe by SIGKILL: the service shuts down
 * as on SIGTERM rather than outlive it, and since nobody is left to send a second signal, exits by
 * itself if that takes longer than LIFELINE_GRACE_MS.
 */
import { createLogger, shutdownTelemetry, type Logger, type LogLevel } from '../telemetry/index.js';
import { ConfigError } from '../config/index.js';
import { setServiceIdentity, type ServiceKind } from '../rpc/index.js';
import { Resources } from './resources.js';
import type { GrpcEndpoint } from './grpc-endpoint.js';

/** What start() hands back: its endpoint, and the first steps of stopping, before the resources close. */
export interface Running {
  /** Reported SERVING once start() has returned, NOT_SERVING between handOver() and drain(). */
  readonly endpoint?: GrpcEndpoint;
  /** Hand work over to others while still SERVING (a broker's leaderships). */
  handOver?(): Promise<void>;
  /** Once NOT_SERVING: end streams and stop taking new work, while everything still runs. */
  drain?(): Promise<void>;
}

export interface ServiceDefinition<C extends { readonly logLevel: LogLevel }> {
  /** The service's kind; the Kafka gateway is no Samsa service identity (it calls as its clients). */
  readonly kind: ServiceKind | 'kafka-gateway';
  /** Reads and checks the config; throws ConfigError naming every problem. */
  loadConfig(): C;
  /** The logger's instance label, e.g. "broker-1". */
  instance(config: C): string;
  /**
   * The id this process's outgoing calls claim (libs/rpc principal.ts), set before any channel is
   * made; omit when the service makes no calls that need one.
   */
  identity?(config: C): string;
  /** Builds the service, registering every closer on `resources`; see the module comment. */
  start(config: C, logger: Logger, resources: Resources): Promise<Running | void>;
}

/** Runs a service process to its end: never returns control on failure (it exits). */
export function runService<C extends { readonly logLevel: LogLevel }>(definition: ServiceDefinition<C>): void {
  let config: C;
  try {
    config = definition.loadConfig();
  } catch (err) {
    const logger = createLogger(definition.kind, '?');
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, `cannot read configuration: ${err instanceof Error ? err.message : String(err)}`);
    logger.flush();
    process.exit(1);
  }
  const logger = createLogger(definition.kind, definition.instance(config), config.logLevel);
  if (definition.identity && definition.kind !== 'kafka-gateway') setServiceIdentity(definition.kind, definition.identity(config));
  const resources = new Resources(logger);
  // run() handles every failure itself (logs and exits), so nothing is left unobserved.
  void run(logger, resources, () => definition.start(config, logger, resources));
}

/** How long a service whose launcher died may take to shut down before it exits anyway. */
const LIFELINE_GRACE_MS = 15_000;

async function run(logger: Logger, resources: Resources, start: () => Promise<Running | void>): Promise<void> {
  let running: Running | undefined;
  let started = false;
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
    // A signal while start() runs exits without stopping the half-built service (nothing to drain yet).
    const done = (started ? stopService(running, resources) : Promise.resolve()).finally(() => shutdownTelemetry());
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
    running = (await start()) ?? undefined;
    started = true;
    // A signal came while starting and its exit has not happened yet: stop what started.
    if (stopping) await stopService(running, resources);
    else running?.endpoint?.setHealth('SERVING');
  } catch (err) {
    await resources.closeAll();
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, `failed to start: ${err instanceof Error ? err.message : String(err)}`);
    logger.flush();
    process.exit(1);
  }
}

/** The stop of a started service (step 3 of the module comment); exported for its unit test. */
export async function stopService(running: Running | undefined, resources: Resources): Promise<void> {
  try {
    await running?.handOver?.();
    running?.endpoint?.setHealth('NOT_SERVING');
    await running?.drain?.();
  } finally {
    await resources.closeAll();
  }
}

/**
 * The telemetry bootstrap of a service process, loaded first with
 * `node --import ./dist/libs/telemetry/instrumentation.js <service main>` (the launcher and the
 * images do this), so the SDK is up before the service builds its first channel or server.
 * What it reads and starts: start.ts. runService (libs/service) flushes and stops it last during
 * shutdown.
 */
import { isMainThread } from 'node:worker_threads';
import { startTelemetry } from './start.js';

// Node 20 runs --import preloads in every worker thread too (the batch validators; the lease
// keep-alive thread is started without them): each started an SDK of its own, whose /metrics
// tried the main thread's port (an EADDRINUSE warning in every service's log; had a worker bound
// first, /metrics would have served that idle thread's empty SDK). Telemetry is the main thread's.
if (isMainThread) startTelemetry('service');

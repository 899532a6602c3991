/**
 * The telemetry bootstrap of a service process, loaded first with
 * `node --import ./dist/libs/telemetry/instrumentation.js <service main>` (the launcher and the
 * images do this), so the SDK is up before the service builds its first channel or server.
 * What it reads and starts: start.ts. runService (libs/service) flushes and stops it last during
 * shutdown.
 */
import { startTelemetry } from './start.js';

startTelemetry('service');

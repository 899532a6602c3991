/**
 * The runtime toolkit every lib and service shares: time (Clock, abortable sleep), ordering
 * (SerialQueue, Semaphore) and retrying (retry, Backoff: the one retry policy). No Samsa domain knowledge
 * here. Import only through here.
 */
export { systemClock, ManualClock, type Clock } from './clock.js';
export { sleep } from './sleep.js';
export { SerialQueue } from './serial-queue.js';
export { Semaphore } from './semaphore.js';
export { lazyPackage } from './lazy-package.js';
export {
  retry,
  backoffDelay,
  Backoff,
  DEFAULT_RETRY,
  realEnvironment,
  type RetryOptions,
  type RetryHooks,
  type RetryEnvironment,
} from './retry.js';

/**
 * The runtime toolkit every lib and service shares: time (Clock, abortable sleep), ordering
 * (SerialQueue). No Samsa domain knowledge here. Import only through here.
 */
export { systemClock, ManualClock, type Clock } from './clock.js';
export { SerialQueue } from './serial-queue.js';
export { lazyPackage } from './lazy-package.js';

/**
 * What a service has opened, and how to close each: a stack. start() registers a closer for each
 * piece as it opens it (or, for a piece that must outlive later ones, before them), and the same
 * stack closes everything in reverse order, whether start() failed half-way (unwind) or the
 * service is stopping. One failing closer is logged and the rest still run. Used by one start()
 * and then one close; not for concurrent use.
 */
import type { Logger } from '../telemetry/index.js';

type Closer = () => Promise<void> | void;

export class Resources {
  private readonly closers: { name: string; close: Closer }[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers `close` to run at shutdown, before every closer registered earlier and after every later one. */
  defer(name: string, close: Closer): void {
    if (this.closing) throw new Error(`cannot register "${name}": the service is already closing`);
    this.closers.push({ name, close });
  }

  /** `value`, after registering `close(value)` (see defer). */
  own<T>(name: string, value: T, close: (value: T) => Promise<void> | void): T {
    this.defer(name, () => close(value));
    return value;
  }

  /** Runs every closer once, last registered first, each awaited. Idempotent: later calls await the first. */
  closeAll(): Promise<void> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async closeInOrder(): Promise<void> {
    for (const { name, close } of this.closers.reverse()) {
      try {
        await close();
      } catch (err) {
        this.logger.warn({ err, step: name }, 'a shutdown step failed; continuing with the rest');
      }
    }
  }
}

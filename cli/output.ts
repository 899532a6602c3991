/**
 * Output for a CLI whose stdout may be a slow pipe: lines are gathered into chunks (flushed when
 * large, or on the next turn of the event loop so a tailing consumer shows records at once), and a
 * full pipe makes the caller wait for 'drain' instead of buffering without bound.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type * as YamlPackage from 'yaml';
import { lazyPackage } from '../libs/runtime/index.js';

/** Loaded for -o yaml only. */
const yaml = lazyPackage<typeof YamlPackage>('yaml');

/** -o/--output: how a command prints its result. */
export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * A whole result as JSON (2-space indented) or YAML. Streams of records are printed one JSON
 * object per line instead (see cli/commands/consume.ts), so they can be piped record by record.
 */
export function renderData(format: 'json' | 'yaml', data: unknown): string {
  return format === 'json' ? JSON.stringify(data, null, 2) : yaml().stringify(data, { lineWidth: 0, version: '1.1' }).trimEnd();
}

/** 1 -> "1 record", 2 -> "2 records"; the count is formatted with thousands separators. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : nouns}`;
}

export class LineWriter {
  private chunk: (string | Buffer)[] = [];
  private binary = false;
  private size = 0;
  private scheduled = false;
  private waitingDrain: Promise<unknown> | undefined;

  constructor(
    private readonly out: Writable,
    private readonly chunkBytes = 64 * 1024,
  ) {}

  /** Queues one line (a newline is added). Returns a promise only when the caller must wait. */
  line(text: string): Promise<unknown> | undefined {
    return this.write(text + '\n');
  }

  /** Queues text or bytes as they are (no newline added). Returns a promise only when the caller must wait. */
  write(data: string | Buffer): Promise<unknown> | undefined {
    this.chunk.push(data);
    if (typeof data !== 'string') this.binary = true;
    this.size += data.length;
    if (this.size >= this.chunkBytes) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return this.waitingDrain;
  }

  /** Writes what is queued; resolves once the stream has room again. */
  flush(): Promise<unknown> | undefined {
    if (this.chunk.length > 0) {
      const data = this.binary ? Buffer.concat(this.chunk.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))) : this.chunk.join('');
      this.chunk = [];
      this.binary = false;
      this.size = 0;
      if (!this.out.write(data) && !this.waitingDrain) {
        // A stream that fails instead of draining releases the waiter; the failure itself is
        // reported by the stream's owner ('error' listener on stdout in main.ts).
        this.waitingDrain = once(this.out, 'drain')
          .catch(() => undefined)
          .finally(() => (this.waitingDrain = undefined));
      }
    }
    return this.waitingDrain;
  }

  /** Flushes and waits until everything is handed to the OS. */
  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => this.out.write('', () => resolve()));
  }
}

/** A plain text table: a header row and left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

/** 1234567 -> "1,234,567". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

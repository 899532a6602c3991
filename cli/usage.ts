/**
 * Command-line parsing shared by every command: node:util parseArgs in strict mode, with the global
 * options (--bootstrap, --help) accepted anywhere. A mistake in how the CLI was called is a
 * UsageError: printed with a hint to --help and exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(
    message: string,
    /** The help text of the command that was misused, to point at. */
    readonly command = '',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const GLOBAL_OPTIONS = {
  bootstrap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string } & {
    bootstrap?: string;
    help?: boolean;
  };
  positionals: string[];
}

/** Parses one command's arguments (after the command words); unknown flags and missing values are UsageErrors. */
export function parseCommand<O extends Options>(args: readonly string[], options: O, command: string): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as Parsed<O>['values'], positionals };
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw new UsageError(message, command);
  }
}

/** A non-negative integer flag, or a UsageError naming it. */
export function intFlag(value: string | undefined, flag: string, command: string, min = 0, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${flag} is required`, command);
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${value}"`, command);
  }
  return n;
}

/** Exactly `count` positionals (names like NAME, TOPIC), or a UsageError. */
export function positionals(parsed: { positionals: string[] }, names: string[], command: string, optional = 0): string[] {
  const got = parsed.positionals;
  if (got.length > names.length || got.length < names.length - optional) {
    const extra = got.length > names.length ? `unexpected argument "${got[names.length]}"` : `missing ${names[got.length]}`;
    throw new UsageError(extra, command);
  }
  return got;
}

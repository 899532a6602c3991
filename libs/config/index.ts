/**
 * Typed service configuration, read once at start from command-line flags and SAMSA_* environment
 * variables (flags win), with defaults that work on one machine. Each service declares its options
 * as a spec; `loadConfig` returns a typed object or throws ConfigError listing every bad value, and
 * `configTable` renders the spec for --help and the README.
 */

export interface Option<T> {
  /** Environment variable, e.g. SAMSA_BROKER_ID. */
  env: string;
  /** Flag without dashes, e.g. broker-id (given as --broker-id=3 or --broker-id 3). */
  flag: string;
  description: string;
  default: T;
  /** Parses a raw string; throws Error with a message saying what is expected. */
  parse(raw: string): T;
  /** How the default reads in docs and --help, as a user would type it (default: JSON). */
  show?(value: T): string;
}

export type Spec = Record<string, Option<unknown>>;
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K] extends Option<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function opt<T>(env: string, flag: string, def: T, description: string, parse: (raw: string) => T): Option<T> {
  return { env, flag, default: def, description, parse };
}

export function int(env: string, flag: string, def: number, description: string, min = 0, max = Number.MAX_SAFE_INTEGER): Option<number> {
  return opt(env, flag, def, description, (raw) => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`expected an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  });
}

export function str(env: string, flag: string, def: string, description: string): Option<string> {
  return opt(env, flag, def, description, (raw) => raw);
}

export function bool(env: string, flag: string, def: boolean, description: string): Option<boolean> {
  return opt(env, flag, def, description, (raw) => {
    if (['true', '1', 'yes', ''].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    throw new Error(`expected true or false, got "${raw}"`);
  });
}

export function oneOf<T extends string>(env: string, flag: string, def: T, values: readonly T[], description: string): Option<T> {
  return opt(env, flag, def, description, (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  });
}

/** Comma-separated list, e.g. etcd endpoints. */
export function list(env: string, flag: string, def: string[], description: string): Option<string[]> {
  return opt(env, flag, def, description, (raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

/** Parses `--name value` / `--name=value` flags; a bare `--flag` is "true". Unknown flags are errors. */
function parseFlags(argv: readonly string[], known: ReadonlySet<string>, problems: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!known.has(name)) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    if (eq >= 0) out.set(name, arg.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out.set(name, next);
        i++;
      } else out.set(name, 'true');
    }
  }
  return out;
}

export function loadConfig<S extends Spec>(
  spec: S,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const flags = parseFlags(argv, new Set(Object.values(spec).map((o) => o.flag)), problems);
  const out: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(spec)) {
    const raw = flags.get(option.flag) ?? env[option.env];
    if (raw === undefined) {
      out[key] = option.default;
      continue;
    }
    try {
      out[key] = option.parse(raw);
    } catch (err) {
      const source = flags.has(option.flag) ? `--${option.flag}` : option.env;
      problems.push(`${source}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** A Markdown table of the options, for --help and the README. */
export function configTable(spec: Spec): string {
  const rows = Object.values(spec).map(
    (o) =>
      `| \`--${o.flag}\` | \`${o.env}\` | \`${o.show ? o.show(o.default) : JSON.stringify(o.default)}\` | ${o.description.replaceAll('|', '\\|')} |`,
  );
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export { advertiseOption, advertisedAddress, parseHostPort, formatHostPort, type HostPort } from './listener.js';

/**
 * V8 settings for a process that consumes at high volume (ADR 0062): `samsa` starts its node with
 * them (cli/main.ts's `#!` line, beside its larger young generation), `npm run bench` relaunches
 * itself with them (its consume rows run the SDK consumer in the benchmark's own process, beside the
 * peers' drivers), and the README recommends them to SDK users. They go on the node command line:
 * Node refuses them in NODE_OPTIONS.
 *
 * `--no-allocation-site-pretenuring`: V8 otherwise tenures an allocation site once most of the
 * objects it saw from it survived a scavenge, and allocates the site's later objects straight in the
 * old generation. A process that produced or read a while had 30-40 sites tenured (`--trace-pretenuring`),
 * so a consumer's short-lived objects, and the response buffers they hold (external memory), were
 * freed only by mark-compacts: in some processes 12-17 per read and twice the CPU per record (the
 * "slow GC state", docs/benchmarks.md, thirteenth and fourteenth sessions).
 */
import { spawn } from 'node:child_process';

export const CONSUMER_NODE_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring'];

/** A V8 flag's name without its value or `no-` prefix, `_` read as `-` (V8 takes both). */
function flagName(arg: string): string {
  return (arg.split('=')[0] as string).replace(/^--(no-)?/, '').replace(/_/g, '-');
}

/** The flags of `wanted` that `execArgv` does not name: a value the caller gave for one wins. */
export function missingNodeFlags(
  wanted: readonly string[] = CONSUMER_NODE_FLAGS,
  execArgv: readonly string[] = process.execArgv,
): string[] {
  const given = new Set(execArgv.filter((a) => a.startsWith('--')).map(flagName));
  return wanted.filter((w) => !given.has(flagName(w)));
}

/**
 * Runs `main` in this process if it was started with every flag of CONSUMER_NODE_FLAGS (or its own
 * value for one); else runs this same script again in a child node started with the missing flags
 * ahead of this process's own node flags (stdio shared, SIGINT and SIGTERM passed on) and ends
 * with the child's exit code.
 */
export async function withConsumerNodeFlags(main: () => Promise<void>): Promise<void> {
  const missing = missingNodeFlags();
  if (missing.length === 0) return main();
  const child = spawn(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    process.exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/**
 * The built `samsa` CLI (`node dist/cli/main.js`) run as a subprocess the way a user runs it:
 * output captured, SAMSA_BOOTSTRAP cleared (tests pass --bootstrap), and a SIGKILL after
 * `timeoutMs` so a hung command cannot hang the test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  /** stdout as the bytes written (binary output). */
  stdoutBytes: Buffer;
  stderr: string;
  ms: number;
}

export interface CliRunOptions {
  input?: string | Buffer;
  /** Leave stdin open (a command waiting for input) instead of ending it after `input`. */
  openStdin?: boolean;
  /** Extra environment for the child (over this process's). */
  env?: Record<string, string>;
  /** Run this instead of `node dist/cli/main.js` (e.g. an installed `samsa`), with the same arguments. */
  command?: string;
  timeoutMs?: number;
  /** Called with the child once it runs (to send signals or read output as it comes). */
  onSpawn?: (child: ChildProcess, output: { stdout: () => string }) => void;
}

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...process.env, ...options.env };
    delete env.SAMSA_BOOTSTRAP;
    const child = options.command
      ? spawn(options.command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const stdout = (): string => Buffer.concat(out).toString('utf8');
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr, ms: performance.now() - started });
    });
    child.stdin.on('error', () => undefined);
    if (options.openStdin) {
      if (options.input !== undefined) child.stdin.write(options.input);
    } else child.stdin.end(options.input ?? '');
    options.onSpawn?.(child, { stdout });
  });
}

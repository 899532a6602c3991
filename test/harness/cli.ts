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
  stderr: string;
  ms: number;
}

export interface CliRunOptions {
  input?: string;
  timeoutMs?: number;
  /** Called with the child once it runs (to send signals or read output as it comes). */
  onSpawn?: (child: ChildProcess, output: { stdout: () => string }) => void;
}

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...process.env };
    delete env.SAMSA_BOOTSTRAP;
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
    options.onSpawn?.(child, { stdout: () => stdout });
  });
}

/**
 * One child process with one owner. Output goes to a log file (append), the PID is known, and
 * stop() is ordered: SIGTERM, wait up to `graceMs`, then SIGKILL. Fault tests use kill9(),
 * pause() (SIGSTOP) and resume() (SIGCONT) on the same object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
}

export class Child {
  readonly name: string;
  readonly logFile: string;
  private proc: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private exitCode: number | null | undefined;

  constructor(private readonly spec: ChildSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== undefined && this.exitCode === undefined;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const fd = openSync(this.spec.logFile, 'a');
    try {
      const proc = spawn(this.spec.command, this.spec.args, {
        cwd: this.spec.cwd,
        env: this.spec.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      this.proc = proc;
      this.exitCode = undefined;
      this.exited = new Promise((resolve) => {
        proc.once('exit', (code, signal) => {
          this.exitCode = code ?? (signal ? -1 : null);
          resolve(this.exitCode);
        });
        proc.once('error', () => {
          this.exitCode = -1;
          resolve(-1);
        });
      });
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves with the exit code (-1 when killed by a signal) once the process is gone. */
  waitExit(): Promise<number | null> {
    return this.exited;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running && this.proc) this.proc.kill(sig);
  }

  /** SIGTERM, then SIGKILL after graceMs. A paused process is resumed first so it can exit. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    await this.exited;
  }

  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes (then throws `what`). */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

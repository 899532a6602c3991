/**
 * One child process with one owner. Output goes to a log file (append), the PID is known, and
 * stop() is ordered: SIGTERM, wait up to `graceMs`, then SIGKILL. Fault tests use kill9(),
 * pause() (SIGSTOP) and resume() (SIGCONT) on the same object.
 *
 * A child with a lifeline never outlives its owner, even one killed by SIGKILL (which runs no
 * handler): the lifeline is a pipe whose write end only the owner holds and never writes to (Node
 * opens it close-on-exec, so no other child inherits it). When the owner dies the kernel closes it
 * and the reader sees end-of-file.
 *   'stdin': the pipe is the child's stdin and the child exits on its end. Samsa services do that
 *            when SAMSA_LIFELINE=stdin (libs/service).
 *   'guard': for programs that are not ours (etcd): a small sh beside the child holds the pipe and,
 *            on its end, sends the child SIGTERM, then SIGKILL after GUARD_GRACE_S. The guard
 *            ignores SIGINT/SIGTERM/SIGHUP (a Ctrl-C reaches the whole process group) and is
 *            SIGKILLed by its owner as soon as the child exits, so it never signals a reused pid.
 * A child with a lifeline also gets a process group of its own, so a Ctrl-C (or any signal sent to
 * the owner's group) reaches the owner alone, which then stops its children in the order it
 * chooses (brokers before etcd) instead of all at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sleep, systemClock } from '../../libs/runtime/index.js';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** How the child is made to exit when this process dies; see the module comment. Default: none. */
  lifeline?: 'stdin' | 'guard';
}

/** Seconds the guard waits after SIGTERM before SIGKILL. */
const GUARD_GRACE_S = 10;
const GUARD_SCRIPT = [
  "trap '' INT TERM HUP",
  'while read -r _; do :; done',
  'kill -TERM "$1" 2>/dev/null || exit 0',
  'i=0',
  `while [ "$i" -lt ${GUARD_GRACE_S} ] && kill -0 "$1" 2>/dev/null; do sleep 1; i=$((i + 1)); done`,
  'kill -KILL "$1" 2>/dev/null',
  'exit 0',
].join('\n');

export class Child {
  readonly name: string;
  readonly logFile: string;
  private proc: ChildProcess | undefined;
  /** The 'guard' lifeline's sh, while the child runs. */
  private guard: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private exitCode: number | null | undefined;

  constructor(private readonly spec: ChildSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The pid of the 'guard' lifeline's sh while the child runs (tests check it goes too). */
  get guardPid(): number | undefined {
    return this.guard?.pid;
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
        stdio: [this.spec.lifeline === 'stdin' ? 'pipe' : 'ignore', fd, fd],
        detached: this.spec.lifeline !== undefined,
      });
      // Never written; an error (EPIPE once the child is gone) means nothing to us.
      proc.stdin?.on('error', () => {});
      this.proc = proc;
      this.exitCode = undefined;
      const guard = this.spec.lifeline === 'guard' && proc.pid !== undefined ? startGuard(proc.pid) : undefined;
      this.guard = guard;
      this.exited = new Promise((resolve) => {
        const settle = (code: number | null): void => {
          if (this.exitCode !== undefined) return;
          this.exitCode = code;
          proc.stdin?.destroy();
          if (guard) {
            guard.kill('SIGKILL');
            guard.stdin?.destroy();
            if (this.guard === guard) this.guard = undefined;
          }
          resolve(code);
        };
        proc.once('exit', (code, signal) => settle(code ?? (signal ? -1 : null)));
        proc.once('error', () => settle(-1));
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

/** The 'guard' lifeline of `pid`: see the module comment. */
function startGuard(pid: number): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'samsa-lifeline-guard', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  guard.stdin?.on('error', () => {});
  // A guard that cannot start leaves the child without a lifeline, no worse than before; not fatal.
  guard.on('error', () => {});
  return guard;
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes (then throws `what`). */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 100,
): Promise<void> {
  const deadline = systemClock.nowMs() + timeoutMs;
  for (;;) {
    if (await check()) return;
    // A function: the description says what was last seen, so it is made when the wait fails.
    if (systemClock.nowMs() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(intervalMs);
  }
}

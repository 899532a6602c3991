/**
 * Notices that the process which started this one is gone, so that `npm start` stops its cluster
 * even when no signal reaches it.
 *
 * Why a signal is not enough (observed with npm 11.19 on Linux, dash as /bin/sh): npm runs the
 * start script as `sh -c "node dist/tools/launcher/local-cluster.js ..."` and, on SIGTERM or SIGINT,
 * forwards the signal to that sh only, never to the launcher below it. SIGTERM kills the sh, npm
 * exits, and the launcher is left orphaned; SIGINT is held by the waiting sh and nothing happens;
 * SIGHUP kills npm alone, leaving sh and launcher orphaned.
 *
 * So the launcher watches its lineage: its parent, and, when that parent is a shell started by a
 * package manager (npm sets npm_lifecycle_event for scripts; so do yarn and pnpm), the package
 * manager above it too. A watched process that exits has its children reparented, so "my parent
 * pid changed" (or "the shell's parent pid changed") is the test; it also holds while the dead
 * process is an unreaped zombie, which a kill(pid, 0) probe would not see.
 *
 * The lineage is polled (the kernel offers Node no event for it). /proc gives the shell's parent;
 * without /proc (not Linux) only the parent itself is watched.
 */
import { readFileSync } from 'node:fs';

/** What the watch reads about processes; the real one reads /proc, tests pass a table. */
export interface ProcessTable {
  /** This process's parent pid, now. */
  ownParent(): number;
  /** The parent pid of `pid` now, or undefined when `pid` is gone or cannot be read. */
  parentOf(pid: number): number | undefined;
  /** The command name (comm) of `pid`, or undefined when it is gone or cannot be read. */
  commandOf(pid: number): string | undefined;
}

/** The parent and, when the parent is a package manager's shell, the package manager. */
export interface Lineage {
  parent: number;
  packageManager?: number;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh']);

/** `pid (comm) state ppid ...` from /proc/<pid>/stat; comm may hold spaces and parentheses. */
function procStat(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (open < 0 || close < open || !Number.isInteger(ppid)) return undefined;
    return { comm: stat.slice(open + 1, close), ppid };
  } catch {
    return undefined;
  }
}

export const procTable: ProcessTable = {
  ownParent: () => process.ppid,
  parentOf: (pid) => procStat(pid)?.ppid,
  commandOf: (pid) => procStat(pid)?.comm,
};

/** Whom to watch, read once at start. */
export function lineageOf(table: ProcessTable, env: NodeJS.ProcessEnv): Lineage {
  const parent = table.ownParent();
  const command = table.commandOf(parent);
  if (env.npm_lifecycle_event === undefined || command === undefined || !SHELLS.has(command)) return { parent };
  const packageManager = table.parentOf(parent);
  // pid 1 (or 0) above the shell: it is an orphan already, or runs in a container's init; nothing to watch.
  return packageManager !== undefined && packageManager > 1 ? { parent, packageManager } : { parent };
}

/** Why the lineage is broken, or undefined while it holds. */
export function lineageBroken(lineage: Lineage, table: ProcessTable): string | undefined {
  if (table.ownParent() !== lineage.parent) return `the process that started the launcher (pid ${lineage.parent}) exited`;
  if (lineage.packageManager !== undefined && table.parentOf(lineage.parent) !== lineage.packageManager) {
    return `the package manager that ran the launcher (pid ${lineage.packageManager}, e.g. npm) exited`;
  }
  return undefined;
}

export interface ParentWatchOptions {
  intervalMs?: number;
  table?: ProcessTable;
  env?: NodeJS.ProcessEnv;
}

/** Calls `onGone` once, with the reason, when the lineage read at start() breaks. Owns one interval timer. */
export class ParentWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly table: ProcessTable;

  constructor(
    private readonly onGone: (reason: string) => void,
    private readonly options: ParentWatchOptions = {},
  ) {
    this.table = options.table ?? procTable;
  }

  start(): Lineage {
    this.stop();
    const lineage = lineageOf(this.table, this.options.env ?? process.env);
    this.timer = setInterval(() => {
      const reason = lineageBroken(lineage, this.table);
      if (reason === undefined) return;
      this.stop();
      this.onGone(reason);
    }, this.options.intervalMs ?? 500);
    return lineage;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

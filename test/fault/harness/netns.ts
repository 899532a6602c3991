/**
 * Network partitions between real processes on this machine. Every placed service (a broker, a
 * controller) runs in a network namespace of its own, joined to the host by a veth pair on one
 * bridge; etcd, coordinators and the test process stay in the host namespace on the bridge's
 * address. A cut is a set of nftables rules in ONE node's namespace, dropping packets both ways
 * (output and input hooks) between it and chosen peers, or a chosen port on the host (etcd): a
 * silent drop as a real partition is (no resets, no errors; established connections stall), while
 * everything not named (clients, etcd) still gets through. heal() deletes the node's rules; TCP
 * then carries on or reconnects, as after a real partition.
 *
 *   host ns:   bridge sf<pid>b 10.213.X.1/24    etcd, coordinators, the test process
 *   sf-<pid>-<k>: eth0 10.213.X.<k+2>/24       one service (veth sf<pid>v<k> on the bridge)
 *
 * Needs root, iproute2 and nftables (scripts/install.sh installs it); available() says why not.
 * Owner: the FaultCluster that made it; destroy() deletes the namespaces (their veths go with
 * them, and the rules with the namespace) and the bridge. Leftovers of a test process that died
 * without cleaning up (names carry its pid) are swept by the next create().
 */
import { execFileSync, spawn } from 'node:child_process';

export interface NetNode {
  /** What the test calls it, e.g. "broker-1". */
  name: string;
  /** The network namespace's name (for `ip netns exec`). */
  ns: string;
  ip: string;
}

/** What one node's namespace drops: all traffic with these IPs, and TCP with these host ports. */
interface Cuts {
  peers: Set<string>;
  hostPorts: Set<number>;
}

const TABLE = 'samsa_fault';
let labsMade = 0;

export class NetLab {
  private readonly nodes = new Map<string, NetNode>();
  private readonly cuts = new Map<string, Cuts>();
  private destroyed = false;

  private constructor(
    /** The host side: the bridge's address, where etcd and the test process are reached. */
    readonly hostIp: string,
    private readonly bridge: string,
    private readonly prefix: string,
    private readonly subnet: string,
  ) {}

  /** Undefined when this machine can run a NetLab, else why not (for a skip message). */
  static unavailable(): string | undefined {
    if (process.getuid?.() !== 0) return 'network namespaces need root';
    for (const [tool, args] of [
      ['ip', ['-V']],
      ['nft', ['--version']],
    ] as const) {
      try {
        execFileSync(tool, args, { stdio: 'ignore' });
      } catch {
        return `${tool} is not installed (scripts/install.sh installs nftables; iproute2 gives ip)`;
      }
    }
    return undefined;
  }

  /** A bridge and one namespace per name in `names`, each with its own address. */
  static async create(names: readonly string[]): Promise<NetLab> {
    await sweepLeftovers();
    const pid = process.pid;
    const tag = labsMade++;
    const used = await run('ip', ['-4', '-o', 'addr', 'show']);
    let third = ((pid + tag * 37) % 250) + 1;
    while (used.includes(`10.213.${third}.`)) third = (third % 250) + 1;
    const subnet = `10.213.${third}`;
    // Interface names have 15 characters at most: "sf" + pid (<= 7 digits) + "b"/"v<k>".
    const lab = new NetLab(`${subnet}.1`, `sf${pid}b${tag % 10}`, `sf-${pid}-${tag}`, subnet);
    try {
      await run('ip', ['link', 'add', lab.bridge, 'type', 'bridge']);
      await run('ip', ['addr', 'add', `${lab.hostIp}/24`, 'dev', lab.bridge]);
      await run('ip', ['link', 'set', lab.bridge, 'up']);
      for (const name of names) await lab.addNode(name);
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  node(name: string): NetNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no network namespace for ${name} (placed: ${[...this.nodes.keys()].join(', ')})`);
    return n;
  }

  /** How to start a process in `name`'s namespace (ServiceSpec.wrapper): `ip netns exec` execs it in place. */
  wrapper(name: string): string[] {
    return ['ip', 'netns', 'exec', this.node(name).ns];
  }

  /** Drops every packet between `name` and each of `peers` (both ways) until heal(name). */
  async cut(name: string, peers: readonly string[]): Promise<void> {
    const c = this.cutsOf(name);
    for (const p of peers) c.peers.add(this.node(p).ip);
    await this.apply(name);
  }

  /** Drops every TCP packet between `name` and `port` on the host side (etcd's client port, say) until heal(name). */
  async cutFromHostPort(name: string, port: number): Promise<void> {
    this.cutsOf(name).hostPorts.add(port);
    await this.apply(name);
  }

  /** Removes every cut of `name`. */
  async heal(name: string): Promise<void> {
    this.cuts.delete(name);
    await this.apply(name);
  }

  /** Deletes the namespaces (and with them veths and rules) and the bridge. Idempotent; never throws. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const n of this.nodes.values()) await run('ip', ['netns', 'del', n.ns]).catch(() => undefined);
    await run('ip', ['link', 'del', this.bridge]).catch(() => undefined);
    this.nodes.clear();
  }

  private async addNode(name: string): Promise<void> {
    const k = this.nodes.size;
    const node: NetNode = { name, ns: `${this.prefix}-${k}`, ip: `${this.subnet}.${k + 2}` };
    const veth = `${this.bridge.slice(0, -2)}v${this.bridge.slice(-1)}${k}`;
    await run('ip', ['netns', 'add', node.ns]);
    this.nodes.set(name, node);
    await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.ns]);
    await run('ip', ['link', 'set', veth, 'master', this.bridge, 'up']);
    await run('ip', ['-n', node.ns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0']);
    await run('ip', ['-n', node.ns, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', node.ns, 'link', 'set', 'lo', 'up']);
  }

  private cutsOf(name: string): Cuts {
    let c = this.cuts.get(name);
    if (!c) this.cuts.set(name, (c = { peers: new Set(), hostPorts: new Set() }));
    return c;
  }

  /** Replaces `name`'s table with its current cuts, in one nft transaction. */
  private async apply(name: string): Promise<void> {
    const { ns } = this.node(name);
    const c = this.cuts.get(name);
    const out: string[] = [];
    const inp: string[] = [];
    if (c && c.peers.size > 0) {
      const set = `{ ${[...c.peers].join(', ')} }`;
      out.push(`ip daddr ${set} drop`);
      inp.push(`ip saddr ${set} drop`);
    }
    if (c && c.hostPorts.size > 0) {
      const set = `{ ${[...c.hostPorts].join(', ')} }`;
      out.push(`ip daddr ${this.hostIp} tcp dport ${set} drop`);
      inp.push(`ip saddr ${this.hostIp} tcp sport ${set} drop`);
    }
    // "table; delete table" makes the delete safe when there is none; then the new one, atomically.
    const script = [`table inet ${TABLE}`, `delete table inet ${TABLE}`];
    if (out.length > 0) {
      script.push(
        `table inet ${TABLE} {`,
        `  chain output { type filter hook output priority 0; policy accept; ${out.join('; ')}; }`,
        `  chain input { type filter hook input priority 0; policy accept; ${inp.join('; ')}; }`,
        '}',
      );
    }
    await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script.join('\n') + '\n');
  }
}

/** Namespaces and bridges named after a test process that no longer runs. */
async function sweepLeftovers(): Promise<void> {
  const dead = (pid: number): boolean => {
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  for (const line of (await run('ip', ['netns', 'list']).catch(() => '')).split('\n')) {
    const m = /^(sf-(\d+)-\d+-\d+)\b/.exec(line);
    if (m?.[1] && dead(Number(m[2]))) await run('ip', ['netns', 'del', m[1]]).catch(() => undefined);
  }
  for (const line of (await run('ip', ['-o', 'link', 'show', 'type', 'bridge']).catch(() => '')).split('\n')) {
    const m = /^\d+: (sf(\d+)b\d)\b/.exec(line);
    if (m?.[1] && dead(Number(m[2]))) await run('ip', ['link', 'del', m[1]]).catch(() => undefined);
  }
}

/** Runs a command to its end; resolves with stdout, rejects with stderr on a non-zero exit. */
function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')}: exit ${code}: ${stderr.trim()}`)),
    );
    if (input !== undefined && child.stdin) {
      // A command that exits without reading it is answered by its exit code, not by EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

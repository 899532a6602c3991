/**
 * A broker's log directory fails under load (issue 12 item 5, issue 18): its data dir lives on a
 * small tmpfs that the test fills to ENOSPC. The broker must take its replicas offline (no crash,
 * still registered), the controller must move their leadership and take them out of every ISR,
 * nothing acknowledged may be lost, and once the disk has room again the replicas reopen, catch up
 * and rejoin. Needs root for mount(8); without it the scenario is skipped with a note.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster } from './harness/fault-cluster.js';
import { Scenario } from './harness/scenario.js';

afterAll(() => FaultCluster.stopAll());

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
if (!canMount) process.stdout.write('[fault] disk-full: skipped (mounting a tmpfs needs root)\n');

/** A tmpfs of `sizeMb` mounted over `dir`, holding what `dir` held; unmount() puts nothing back. */
function moveOntoTmpfs(dir: string, sizeMb: number): { unmount: () => void; fill: () => void; free: () => void } {
  const aside = `${dir}.on-disk`;
  renameSync(dir, aside);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  execFileSync('cp', ['-a', `${aside}/.`, `${dir}/`]);
  rmSync(aside, { recursive: true, force: true });
  const filler = join(dir, 'filler');
  return {
    // dd stops at ENOSPC and says so: that is the point.
    fill: () => void spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M'], { stdio: 'ignore' }),
    free: () => rmSync(filler, { force: true }),
    unmount: () => void spawnSync('umount', ['-l', dir], { stdio: 'ignore' }),
  };
}

describe.skipIf(!canMount)('a log directory that fails', () => {
  it('disk full on one broker: its replicas go offline and leave every ISR, the broker lives on; with room again they rejoin; nothing acked is lost', async () => {
    const s = await Scenario.start({ name: 'disk-full', partitions: 3, cluster: { env: { SAMSA_LEASE_TTL_SECONDS: '5' } } });
    const victim = s.initial[0]?.leaderId as number;
    const dir = s.cluster.dataDir(victim);
    // Stop it cleanly, put its data dir on a small tmpfs, start it again.
    await s.cluster.broker(victim).stop();
    const disk = moveOntoTmpfs(dir, 48);
    try {
      await s.cluster.broker(victim).start();
      await s.waitFullIsr(`broker ${victim} back in every ISR on its tmpfs`);
      await s.startLoad();

      s.mark(`fill broker ${victim}'s disk`);
      disk.fill();
      const moved = await s.cluster.waitForPartitions(
        s.topic,
        (p) => p.leaderId >= 0 && p.leaderId !== victim && !p.isr.includes(victim),
        30_000,
        `every partition led elsewhere and broker ${victim} out of every ISR`,
      );
      for (const p of moved) expect(p.isr.length, `partition ${p.partition}'s ISR`).toBeGreaterThanOrEqual(2);
      // Still running and registered: a failed disk is not a dead broker.
      const address = s.cluster.brokerAddresses().find((a) => a !== s.cluster.broker(victim).address) as string;
      const registered = (await s.cluster.probe.metadata(address, [])).brokers.map((b) => b.id);
      expect(registered, `broker ${victim} still registered`).toContain(victim);
      await s.load.waitForMoreAcks(100, 20_000, 'acks=all writes on the other two replicas while the disk is full');

      s.mark(`free broker ${victim}'s disk`);
      disk.free();
      await s.waitFullIsr(`broker ${victim}'s replicas reopened, caught up and back in every ISR`, 60_000);
      await s.load.waitForMoreAcks(100, 20_000, 'the load with the full ISR back');
      await s.finish();
    } finally {
      await s.cluster.broker(victim).stop();
      disk.unmount();
    }
  });
});

/**
 * etcd stopped for 20 s and started again on the same data dir (issue 12, item 5): an acks=all
 * load on an RF=3, min.insync.replicas=2 topic with a live consumer, three brokers, one controller.
 *
 * What Samsa promises (docs/replication.md, "etcd outage"): a leader keeps serving only while its
 * registration lease may still be alive by its own clock; once the lease's TTL has run out without
 * a renewal it stops leading (no acks=all write is answered while another leader could exist), so
 * writes are refused for most of the outage. Nothing acknowledged is lost, and when etcd is back
 * the cluster recovers by itself: brokers register again as new incarnations, a controller is
 * elected and admits them, leaders serve and every ISR is full again. How long each step took is
 * printed, never asserted; the bounds of the waits only mean "it never recovered".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../tools/launcher/index.js';
import { FaultCluster } from './harness/fault-cluster.js';
import { Scenario } from './harness/scenario.js';

afterAll(() => FaultCluster.stopAll());

const OUTAGE_MS = 20_000;

async function etcdHealthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${endpoint}/health`);
    return res.ok;
  } catch {
    return false;
  }
}

describe('etcd outage', () => {
  it('etcd stopped for 20 s under load and restarted: nothing acked is lost, no duplicates, the cluster recovers by itself with full ISRs', async () => {
    const s = await Scenario.start({ name: 'etcd-outage', consumer: true });
    const etcd = s.cluster.local.etcd;
    await s.startLoad();

    const ackedBefore = s.load.acked.size;
    const stoppedAt = s.mark('etcd stopped');
    await etcd.child.stop(5_000);
    // Acknowledgements during the outage: leaders may answer while their lease can still be alive.
    let lastAckAt = stoppedAt;
    let ackedDuring = 0;
    const outageEnds = stoppedAt + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      const n = s.load.acked.size;
      if (n > ackedBefore + ackedDuring) {
        ackedDuring = n - ackedBefore;
        lastAckAt = Date.now();
      }
      await sleep(100);
    }

    s.mark('etcd restarted');
    const restartedAt = Date.now();
    etcd.child.start();
    await waitUntil(() => etcdHealthy(etcd.endpoint), 20_000, 'etcd healthy again', 100);
    const healthyAfterMs = Date.now() - restartedAt;
    await s.attempt('every ISR full again after the outage', () => s.waitFullIsr('full ISRs after etcd came back', 60_000));
    const fullIsrAfterMs = Date.now() - restartedAt;
    await s.attempt('acks=all writes after the outage', () => s.load.waitForMoreAcks(200, 30_000, 'the load after etcd came back'));
    process.stdout.write(
      `[fault] etcd-outage: ${ackedDuring} writes acknowledged after etcd stopped, the last ${lastAckAt - stoppedAt} ms after; ` +
        `etcd healthy ${healthyAfterMs} ms after its restart, every ISR full ${fullIsrAfterMs} ms after\n`,
    );
    const result = await s.finish();
    expect(result.verdict.lost).toEqual([]);
  });
});

/**
 * Producer ids for idempotent producers, unique in the cluster. Each broker reserves a block of ids
 * at a time with a compare-and-swap on one etcd counter (`/producer-ids/next`) and hands them out
 * from memory, so etcd sees one write per BLOCK producers. Ids of a block a broker never hands out
 * (it restarted) are simply skipped: uniqueness is all that matters. Ids from
 * RESERVED_PRODUCER_IDS_FROM up are never handed out: the group coordinators write
 * __consumer_offsets with fixed ids there (libs/group/offsets-log.ts, docs/adr/0029).
 */
import type { Etcd3 } from 'etcd3';
import type { MetadataKeys } from './metadata.js';

const BLOCK = 1000;
/** The first producer id that InitProducerId never hands out (2^50; JavaScript numbers are exact to 2^53). */
export const RESERVED_PRODUCER_IDS_FROM = 2 ** 50;
const MAX_ATTEMPTS = 20;

export class ProducerIdAllocator {
  private next = 0;
  private end = 0;
  private reserving: Promise<void> | undefined;

  constructor(
    private readonly etcd: Etcd3,
    private readonly keys: MetadataKeys,
  ) {}

  async allocate(): Promise<number> {
    while (this.next >= this.end) {
      this.reserving ??= this.reserve().finally(() => {
        this.reserving = undefined;
      });
      await this.reserving;
    }
    return this.next++;
  }

  private async reserve(): Promise<void> {
    const key = this.keys.producerIdCounter;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const res = await this.etcd.get(key).exec();
      const kv = res.kvs[0];
      const start = kv ? Number(kv.value.toString()) : 0;
      if (start + BLOCK > RESERVED_PRODUCER_IDS_FROM)
        throw new Error(`producer ids are exhausted: the next block would reach the reserved ids from ${RESERVED_PRODUCER_IDS_FROM}`);
      const guard = kv ? this.etcd.if(key, 'Mod', '==', kv.mod_revision) : this.etcd.if(key, 'Create', '==', 0);
      const txn = await guard.then(this.etcd.put(key).value(String(start + BLOCK))).commit();
      if (txn.succeeded) {
        this.next = start;
        this.end = start + BLOCK;
        return;
      }
    }
    throw new Error(`could not reserve producer ids after ${MAX_ATTEMPTS} attempts (etcd key ${key} keeps changing)`);
  }
}

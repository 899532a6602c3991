/**
 * The Kafka APIs this gateway serves and at which versions (what ApiVersions advertises). An API
 * not in the table is absent from ApiVersions; a request for it closes the connection (Kafka's
 * own brokers do the same). The versions are those the gateway's semantics cover: Produce from v3
 * (record batch v2, the only format Samsa stores), Fetch from v4 (isolation level, batch v2) to
 * v12 (topic ids come in v13), Metadata to v9. docs/kafka-compatibility.md is
 * this table in prose (test/unit/kafka-gateway/compatibility-doc.test.ts keeps the versions equal).
 */
import * as admin from './apis/admin.js';
import type { ApiEntry, Handler } from './apis/context.js';
import { fetch } from './apis/fetch.js';
import * as groups from './apis/groups.js';
import { metadata } from './apis/metadata.js';
import { initProducerId, listOffsets } from './apis/offsets.js';
import { produce } from './apis/produce.js';

const notHere: Handler = () => Promise.reject(new Error('handled by the connection'));

const ENTRIES: ApiEntry[] = [
  { apiKey: 0, min: 3, max: 9, handle: produce as Handler },
  { apiKey: 1, min: 4, max: 12, handle: fetch as Handler },
  { apiKey: 2, min: 1, max: 6, handle: listOffsets as Handler },
  { apiKey: 3, min: 0, max: 9, handle: metadata as Handler },
  { apiKey: 8, min: 2, max: 8, handle: groups.offsetCommit as Handler },
  { apiKey: 9, min: 1, max: 7, handle: groups.offsetFetch as Handler },
  { apiKey: 10, min: 0, max: 3, handle: groups.findCoordinator as Handler },
  { apiKey: 11, min: 0, max: 7, handle: groups.joinGroup as Handler },
  { apiKey: 12, min: 0, max: 4, handle: groups.heartbeat as Handler },
  { apiKey: 13, min: 0, max: 4, handle: groups.leaveGroup as Handler },
  { apiKey: 14, min: 0, max: 5, handle: groups.syncGroup as Handler },
  { apiKey: 15, min: 0, max: 5, handle: groups.describeGroups as Handler },
  { apiKey: 16, min: 0, max: 4, handle: groups.listGroups as Handler },
  { apiKey: 17, min: 0, max: 1, handle: notHere },
  { apiKey: 18, min: 0, max: 3, handle: notHere },
  { apiKey: 19, min: 0, max: 5, handle: admin.createTopics as Handler },
  { apiKey: 20, min: 0, max: 5, handle: admin.deleteTopics as Handler },
  { apiKey: 22, min: 0, max: 4, handle: initProducerId as Handler },
  { apiKey: 32, min: 0, max: 4, handle: admin.describeConfigs as Handler },
  { apiKey: 33, min: 0, max: 2, handle: admin.alterConfigs as Handler },
  { apiKey: 36, min: 0, max: 2, handle: notHere },
  { apiKey: 37, min: 0, max: 3, handle: admin.createPartitions as Handler },
  { apiKey: 44, min: 0, max: 1, handle: admin.incrementalAlterConfigs as Handler },
];

export const API_TABLE: ReadonlyMap<number, ApiEntry> = new Map(ENTRIES.map((e) => [e.apiKey, e]));

export function apiVersionsBody(): object {
  return {
    errorCode: 0,
    apiKeys: ENTRIES.map((e) => ({ apiKey: e.apiKey, minVersion: e.min, maxVersion: e.max })),
    throttleTimeMs: 0,
  };
}

/**
 * What every example client in examples/<language>/ prints for the same scenario (metadata, create
 * a topic, produce `count` keyed JSON records with one header, stream every partition back), checked
 * the same way for each language.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import { partitionForKey } from '../../libs/partitioner/index.js';
import { signToken } from '../../libs/security/index.js';
import type { LocalCluster } from '../../tools/launcher/index.js';

export interface ExampleRun {
  topic: string;
  partitions: number;
  count: number;
  /** How the client prints the one header of each consumed record, e.g. /headers=\[source=go\]/g. */
  header: RegExp;
}

export function expectExampleClientOutput(output: string, run: ExampleRun): void {
  expect(output).toMatch(/controller \d+ at 127\.0\.0\.1:\d+/);
  expect(output).toContain(`created topic ${run.topic} with ${run.partitions} partitions`);
  expect(output).toContain(`produced ${run.count} records`);
  expect(output).toContain(`consumed ${run.count} records`);
  // Every record came back with its key, JSON value and header.
  for (let i = 0; i < run.count; i++) expect(output).toContain(`"n": ${i}}`);
  expect(output.match(run.header)?.length).toBe(run.count);
  // Equal keys share a partition: the broker's murmur2, the same as Kafka's and the SDK's.
  const partitionsByKey = new Map<string, Set<string>>();
  for (const m of output.matchAll(/ {2}(\d+)\/\d+ key=(\S+) /g)) {
    const set = partitionsByKey.get(m[2] as string) ?? new Set<string>();
    set.add(m[1] as string);
    partitionsByKey.set(m[2] as string, set);
  }
  expect(partitionsByKey.size).toBe(Math.min(4, run.count));
  for (const [key, set] of partitionsByKey) expect([...set]).toEqual([String(partitionForKey(Buffer.from(key), run.partitions))]);
}

/**
 * The environment of an example client that holds only the cluster's CA and a bearer token (no
 * client certificate) for a principal of its own, allowed everything on topics (the examples
 * create topics, produce, consume, and produce to a missing one for its error).
 */
export async function tokenOnlyClientEnv(cluster: LocalCluster, subject: string): Promise<NodeJS.ProcessEnv> {
  if (!cluster.tokenKeys || !cluster.clientTls) throw new Error('a plaintext cluster takes no tokens');
  const samsa = new Samsa({ bootstrap: cluster.bootstrap });
  try {
    const acl = { principal: `User:${subject}`, host: '*', permission: 'ALLOW', operation: 'ALL' } as const;
    await samsa.admin().createAcls([{ ...acl, resourceType: 'TOPIC', resourceName: '*', patternType: 'LITERAL' }]);
  } finally {
    await samsa.close();
  }
  const token = signToken(readFileSync(cluster.tokenKeys.privateKey, 'utf8'), { sub: subject, exp: Math.floor(Date.now() / 1000) + 600 });
  return { ...process.env, SAMSA_TLS_CA: cluster.clientTls.ca, SAMSA_TLS_CERT: '', SAMSA_TLS_KEY: '', SAMSA_TOKEN: token };
}

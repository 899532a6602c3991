/**
 * docs/kafka-compatibility.md's "Every API key" table is what the code says: one row per API key
 * Kafka defines (the generated KAFKA_APIS, from vendor/kafka), with Kafka's versions, and in the
 * gateway column the versions the gateway advertises in ApiVersions (its API table) or "no".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KAFKA_APIS } from '../../../libs/kafka-protocol/index.js';
import { API_TABLE } from '../../../services/kafka-gateway/api-table.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'kafka-compatibility.md'), 'utf8');

/** The table's rows by API key: [name, Kafka versions, gateway versions]. */
function tableRows(): Map<number, [string, string, string]> {
  const rows = new Map<number, [string, string, string]>();
  for (const line of doc.split('\n')) {
    const m = /^\| (\d+) \| (\w+) \| ([^|]+) \| ([^|]+) \|/.exec(line);
    if (m) rows.set(Number(m[1]), [m[2]!, m[3]!.trim(), m[4]!.trim()]);
  }
  return rows;
}

describe('docs/kafka-compatibility.md', () => {
  it('lists every Kafka API key with Kafka versions and the versions the gateway serves', () => {
    const rows = tableRows();
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual(KAFKA_APIS.map((a) => a.apiKey).sort((a, b) => a - b));
    for (const api of KAFKA_APIS) {
      const served = API_TABLE.get(api.apiKey);
      expect(rows.get(api.apiKey), `API key ${api.apiKey}`).toEqual([
        api.name,
        `${api.valid[0]}-${api.valid[1]}`,
        served ? `${served.min}-${served.max}` : 'no',
      ]);
    }
  });
});

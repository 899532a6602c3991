/** `samsa cluster`: the cluster id, the active controller and the live brokers. */
import type { Samsa } from '../../libs/client/index.js';
import { CLUSTER_HELP } from '../help.js';
import { table } from '../output.js';
import { parseCommand, positionals } from '../usage.js';
import type { Io } from './topics.js';

export async function clusterCommand(args: string[], client: () => Samsa, io: Io): Promise<void> {
  const parsed = parseCommand(args, {}, CLUSTER_HELP);
  if (parsed.values.help) return io.stdout(CLUSTER_HELP);
  positionals(parsed, [], CLUSTER_HELP);
  const c = await client().admin().describeCluster();
  const controller = c.controller ? `${c.controller.id} at ${c.controller.address}` : 'none (election under way)';
  const brokers = table(
    ['BROKER', 'ADDRESS', 'RACK'],
    c.brokers.map((b) => [String(b.id), b.address, b.rack]),
  );
  io.stdout([`cluster id: ${c.clusterId}`, `controller: ${controller}`, `brokers: ${c.brokers.length}`, brokers].join('\n'));
}

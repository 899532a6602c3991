/** `samsa cluster`: the cluster id, the active controller and the live brokers. */
import { Command } from 'commander';
import type { ClusterDescription } from '../../libs/client/index.js';
import type { CommandModule } from '../context.js';
import { table } from '../output.js';
import { outputSchema, s } from '../schema.js';

export interface ClusterOutput {
  clusterId: string;
  controller: { id: number; address: string } | null;
  brokers: { id: number; address: string; rack: string }[];
}

export const CLUSTER_SCHEMA = s.object({
  clusterId: s.string(),
  controller: s.nullable(s.object({ id: s.integer(), address: s.string('host:port') })),
  brokers: s.array(s.object({ id: s.integer(), address: s.string('host:port'), rack: s.string('empty when not set') })),
});

export function clusterOutput(c: ClusterDescription): ClusterOutput {
  return {
    clusterId: c.clusterId,
    controller: c.controller ? { id: c.controller.id, address: c.controller.address } : null,
    brokers: c.brokers.map((b) => ({ id: b.id, address: b.address, rack: b.rack })),
  };
}

function clusterText(c: ClusterOutput): string {
  const controller = c.controller ? `${c.controller.id} at ${c.controller.address}` : 'none (election under way)';
  const brokers = table(
    ['BROKER', 'ADDRESS', 'RACK'],
    c.brokers.map((b) => [String(b.id), b.address, b.rack]),
  );
  return [`cluster id: ${c.clusterId}`, `controller: ${controller}`, `brokers: ${c.brokers.length}`, brokers].join('\n');
}

export const clusterCommand: CommandModule = (ctx) => {
  const cmd = new Command('cluster').description('the cluster id, the active controller and the live brokers').action(async () => {
    ctx.print(clusterOutput(await ctx.client().admin().describeCluster()), clusterText);
  });
  return outputSchema(cmd, CLUSTER_SCHEMA);
};

/** `samsa groups ...` and `samsa consume --group` refuse bad command lines before touching the cluster. */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { Samsa } from '../../../libs/client/index.js';
import { consumeCommand } from '../../../cli/commands/consume.js';
import { groupsCommand, summarizeLag } from '../../../cli/commands/groups.js';
import { LineWriter } from '../../../cli/output.js';
import { UsageError } from '../../../cli/usage.js';

const noCluster = (): Samsa => {
  throw new Error('the cluster must not be contacted for a usage error');
};
const io = { stdout: () => undefined, stderr: () => undefined, out: new LineWriter(new PassThrough()), onInterrupt: () => () => undefined };

describe('consumer-group command lines', () => {
  it.each([
    [['t', '--group', 'g', '--partition', '1', '--instance-id', 'i'], /--instance-id is for members/],
    [['t', '--group', 'g', '--partition', '1', '--from', 'nowhere'], /--from/],
    [['t', '--group', 'g', '--follow'], /always follows: drop --follow/],
    [['t', '--group', 'g', '--from', '42'], /earliest or latest/],
    [['t', '--group', 'g', '--assignor', 'random'], /sticky, range or roundRobin/],
    [['t', '--group', 'g', '--session-timeout-ms', 'soon'], /--session-timeout-ms must be an integer/],
  ])('consume %j is a usage error', async (args, message) => {
    await expect(consumeCommand(args, noCluster, io)).rejects.toThrow(message);
    await expect(consumeCommand(args, noCluster, io)).rejects.toBeInstanceOf(UsageError);
  });

  it.each([
    [undefined, [], /missing groups subcommand/],
    ['rename', [], /unknown groups subcommand "rename"/],
    ['describe', [], /missing GROUP/],
    ['reset-offsets', ['g', '--to', 'earliest'], /--topic is required/],
    ['reset-offsets', ['g', '--topic', 't'], /--to is required/],
    ['reset-offsets', ['g', '--topic', 't', '--to', 'yesterday'], /--to: /],
    ['reset-offsets', ['g', '--topic', 't', '--to', 'earliest', '--partition', 'x'], /--partition must be an integer/],
  ])('groups %s %j is a usage error', async (sub, args, message) => {
    await expect(groupsCommand(sub, args, noCluster, io)).rejects.toThrow(message);
  });
});

describe('groups lag summary', () => {
  const offset = (partition: number, committed: number, hw: number) => ({ topic: 't', partition, offset: committed, metadata: '', highWatermark: hw, lag: committed < 0 || hw < 0 ? -1 : hw - committed });

  it('sums the known lags, names the partition most behind, counts the unknown ones apart', () => {
    expect(summarizeLag([offset(0, 5, 10), offset(1, 0, 40), offset(2, -1, 7), offset(3, 9, 9)])).toEqual({
      partitions: 4,
      total: 45,
      unknown: 1,
      worst: { topic: 't', partition: 1, lag: 40 },
    });
    expect(summarizeLag([])).toEqual({ partitions: 0, total: 0, unknown: 0, worst: undefined });
    expect(summarizeLag([offset(0, -1, 3)])).toMatchObject({ total: 0, unknown: 1, worst: undefined });
  });
});

/** `samsa groups ...` and `samsa consume` refuse bad command lines before touching the cluster. */
import { describe, expect, it } from 'vitest';
import { summarizeLag } from '../../../cli/commands/groups.js';
import { startPosition } from '../../../cli/commands/consume.js';
import { parse } from './program.js';

describe('consumer-group command lines', () => {
  it.each([
    [['consume', 't', '--group', 'g', '--partition', '1', '--instance-id', 'i'], /--instance-id is for members/],
    [['consume', 't', '--group', 'g', '--partition', '1', '--from', 'nowhere'], /--from/],
    [['consume', 't', '--group', 'g', '--follow'], /always follows: drop --follow/],
    [['consume', 't', '--group', 'g', '--from', '42'], /earliest or latest/],
    [['consume', 't', '--group', 'g', '--assignor', 'random'], /Allowed choices are sticky, range, roundRobin/],
    [['consume', 't', '--group', 'g', '--session-timeout-ms', 'soon'], /--session-timeout-ms <ms>' argument 'soon' is invalid/],
    // Holding limits: a direct member reads from the leaders, no coordinator holds records back for it.
    [['consume', 't', '--group', 'g', '--max-records', '5'], /--max-records goes with --share-group, or with --group G --delivery relay/],
    [['consume', 't', '--max-bytes', '1024'], /--max-bytes goes with --share-group, or with --group G --delivery relay/],
    [['consume', 't', '--group', 'g', '--partition', '1', '--delivery', 'relay', '--max-records', '5'], /--max-records goes with/],
    [['consume', 't', '--group', 'g', '--delivery', 'relay', '--max-records', '0'], /--max-records <n>' argument '0' is invalid/],
    [['consume', 't', '--group', 'g', '--delivery', 'relay', '--lease-ms', '5000'], /--lease-ms goes with --share-group/],
    [['groups'], /missing groups subcommand/],
    [['groups', 'rename'], /unknown groups subcommand "rename"/],
    [['groups', 'describe'], /missing required argument 'group'/],
    [['groups', 'reset-offsets', 'g', '--to', 'earliest'], /required option '--topic <topic>' not specified/],
    [['groups', 'reset-offsets', 'g', '--topic', 't'], /required option '--to <position>' not specified/],
    [['groups', 'reset-offsets', 'g', '--topic', 't', '--to', 'yesterday'], /--to: /],
    [['groups', 'reset-offsets', 'g', '--topic', 't', '--to', 'earliest', '--partition', 'x'], /--partition <p>' argument 'x' is invalid/],
  ])('%j is a usage error', async (argv, message) => {
    const { error, stderr } = await parse(argv);
    expect(error).toBeInstanceOf(Error);
    expect(`${(error as Error).message}\n${stderr}`).toMatch(message);
    expect((error as Error).message).not.toMatch(/must not be contacted/);
  });
});

describe('consume holding limits', () => {
  it('--max-records / --max-bytes are taken by a relay group member and a share member (the cluster is then asked)', async () => {
    for (const argv of [
      ['consume', 't', '--group', 'g', '--delivery', 'relay', '--max-records', '5', '--max-bytes', '1024'],
      ['consume', 't', '--share-group', 'g', '--max-records', '5'],
    ]) {
      const { error } = await parse(argv);
      expect((error as Error).message).toMatch(/must not be contacted/);
    }
  });
});

describe('consume start positions', () => {
  it('--offset earliest|latest|N|-N|@TIME, its old name --from, or --from-time; one of them', () => {
    expect(startPosition({})).toBe('earliest');
    expect(startPosition({ offset: 'latest' })).toBe('latest');
    expect(startPosition({ offset: '42' })).toEqual({ offset: 42 });
    expect(startPosition({ offset: '-10' })).toEqual({ last: 10 });
    expect(startPosition({ from: '@1700000000000' })).toEqual({ timestampMs: 1_700_000_000_000 });
    expect(startPosition({ fromTime: 5 })).toEqual({ timestampMs: 5 });
    expect(() => startPosition({ offset: '-0' })).toThrow(/N >= 1/);
    expect(() => startPosition({ offset: 'soon' })).toThrow(/--offset: .*-N for the last N/);
    expect(() => startPosition({ offset: '1', fromTime: 5 })).toThrow(
      /give one of --offset, --from and --from-time, not --offset and --from-time/,
    );
  });
});

describe('groups lag summary', () => {
  const offset = (partition: number, committed: number, hw: number) => ({
    topic: 't',
    partition,
    offset: committed,
    metadata: '',
    highWatermark: hw,
    lag: committed < 0 || hw < 0 ? -1 : hw - committed,
  });

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

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatTopic } from '../../../cli/commands/topics.js';
import { LineWriter, count, table } from '../../../cli/output.js';
import { UsageError, intFlag, parseCommand, positionals } from '../../../cli/usage.js';

describe('command-line parsing', () => {
  it('parses flags anywhere, with --bootstrap accepted by every command', () => {
    const p = parseCommand(['t', '--partition', '3', '--bootstrap', 'h:1', '--follow'], { partition: { type: 'string' }, follow: { type: 'boolean' } }, 'HELP');
    expect(p.positionals).toEqual(['t']);
    expect(p.values).toMatchObject({ partition: '3', bootstrap: 'h:1', follow: true });
  });

  it('turns unknown flags and missing values into UsageErrors that carry the command help', () => {
    expect(() => parseCommand(['--nope'], {}, 'HELP')).toThrow(UsageError);
    expect(() => parseCommand(['--partition'], { partition: { type: 'string' } }, 'HELP')).toThrow(UsageError);
    try {
      parseCommand(['--nope'], {}, 'HELP');
    } catch (err) {
      expect((err as UsageError).command).toBe('HELP');
    }
  });

  it('checks integer flags and positional counts', () => {
    expect(intFlag('6', 'partitions', '', 1)).toBe(6);
    expect(intFlag(undefined, 'partitions', '', 1, 1)).toBe(1);
    for (const bad of ['0', '-1', '1.5', 'six', '']) expect(() => intFlag(bad, 'partitions', '', 1)).toThrow(UsageError);
    expect(() => positionals({ positionals: [] }, ['NAME'], '')).toThrow(/missing NAME/);
    expect(() => positionals({ positionals: ['a', 'b'] }, ['NAME'], '')).toThrow(/unexpected argument "b"/);
    expect(positionals({ positionals: [] }, ['NAME'], '', 1)).toEqual([]);
  });
});

describe('output', () => {
  it('aligns tables', () => {
    expect(table(['A', 'LONGER'], [['xxx', '1'], ['y', '22']])).toBe('A    LONGER\nxxx  1\ny    22');
    expect(count(1234567.4)).toBe('1,234,567');
  });

  it('describes a topic with leader, epoch, replicas, ISR and marks what is wrong', () => {
    const text = formatTopic({
      name: 'orders',
      topicId: 'abc',
      replicationFactor: 3,
      config: { retentionMs: 1000 },
      partitions: [
        { partition: 0, leaderId: 1, leaderEpoch: 4, replicas: [1, 2, 3], isr: [1, 2, 3] },
        { partition: 1, leaderId: 2, leaderEpoch: 0, replicas: [2, 3, 1], isr: [2] },
        { partition: 2, leaderId: -1, leaderEpoch: 7, replicas: [3, 1, 2], isr: [] },
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Topic: orders  id: abc  partitions: 3  replication-factor: 3');
    expect(lines[1]).toBe('  config: retention.ms=1000');
    expect(lines[3]).toMatch(/^ {2}0\s+1\s+4\s+1,2,3\s+1,2,3$/);
    expect(lines[4]).toMatch(/^ {2}1\s+2\s+0\s+2,3,1\s+2\s+under-replicated$/);
    expect(lines[5]).toMatch(/^ {2}2\s+none\s+7\s+3,1,2\s+offline under-replicated$/);
  });

  it('LineWriter batches lines and waits for drain when the pipe is full', async () => {
    const out = new PassThrough({ highWaterMark: 4 });
    const chunks: string[] = [];
    const w = new LineWriter(out, 8);
    let waited = 0;
    let reading = false;
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) {
      expected.push(`line-${i}`);
      const wait = w.line(`line-${i}`);
      if (wait) {
        waited++;
        // Nobody read until the writer had to wait: now a reader drains the pipe.
        if (!reading) out.on('data', (c: Buffer) => chunks.push(c.toString()));
        reading = true;
        await wait;
      }
    }
    await w.end();
    expect(waited).toBeGreaterThan(0);
    expect(chunks.join('')).toBe(expected.join('\n') + '\n');
  });
});

import { CommanderError } from 'commander';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatTopic, topicOutput } from '../../../cli/commands/topics.js';
import { LineWriter, count, plural, renderData, table } from '../../../cli/output.js';
import { rewriteHelp } from '../../../cli/program.js';
import { s, validate } from '../../../cli/schema.js';
import { UsageError } from '../../../cli/usage.js';
import { parse } from './program.js';

describe('command-line parsing', () => {
  it('accepts the global options before and after the command words', async () => {
    for (const argv of [
      ['--bootstrap', 'h:1', '-o', 'json', 'topics', 'list'],
      ['topics', 'list', '--bootstrap', 'h:1', '-o', 'json'],
      ['topics', '-o', 'yaml', 'list', '--insecure'],
    ]) {
      const { error } = await parse(argv);
      // Parsing passed; the action then asked for the client, which the test context refuses.
      expect((error as Error).message, argv.join(' ')).toMatch(/must not be contacted/);
    }
  });

  it('turns unknown commands, options, choices and bad numbers into commander usage errors (exit 2 in main)', async () => {
    for (const argv of [
      ['consume', 't', '--bogus'],
      ['-o', 'xml', 'cluster'],
      ['topics', 'create', 'x', '--partitions', 'many'],
      ['topics', 'create', 'x', '--partitions', '0'],
      ['produce', 't', '--acks', '2'],
      ['produce'],
    ]) {
      const { error, stderr } = await parse(argv);
      expect(error, argv.join(' ')).toBeInstanceOf(CommanderError);
      expect(stderr).toMatch(/^samsa: /);
      expect(stderr).toMatch(/\nUsage: samsa /);
    }
  });

  it('a command group without a subcommand, or with an unknown one, is a UsageError naming the subcommands', async () => {
    const missing = (await parse(['topics'])).error;
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as Error).message).toBe('missing topics subcommand (create, list, describe, alter, add-partitions, delete)');
    expect(((await parse(['groups', 'rename'])).error as Error).message).toMatch(
      /unknown groups subcommand "rename" \(list, describe, lag, reset-offsets, delete\)/,
    );
    expect(((await parse([])).error as Error).message).toBe('missing command');
    expect(((await parse(['--insecure', 'frobnicate'])).error as Error).message).toBe('unknown command "frobnicate"');
  });

  it('`help A B` is `A B --help` at every depth, after global options too', () => {
    expect(rewriteHelp(['help', 'topics', 'create'])).toEqual(['topics', 'create', '--help']);
    expect(rewriteHelp(['--bootstrap', 'help', 'help', 'groups'])).toEqual(['--bootstrap', 'help', 'groups', '--help']);
    expect(rewriteHelp(['-o', 'json', 'help'])).toEqual(['-o', 'json', '--help']);
    expect(rewriteHelp(['consume', 'help'])).toEqual(['consume', 'help']);
  });

  it('help and --version print and exit 0 without touching the cluster', async () => {
    const version = await parse(['--version']);
    expect((version.error as CommanderError).code).toBe('commander.version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await parse(['help', 'groups', 'describe']);
    expect((help.error as CommanderError).code).toBe('commander.helpDisplayed');
    expect(help.stdout).toMatch(/^Usage: samsa groups describe \[options\] <group>/);
  });
});

describe('output', () => {
  it('aligns tables, counts with separators, says 1 record and 2 records', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['xxx', '1'],
          ['y', '22'],
        ],
      ),
    ).toBe('A    LONGER\nxxx  1\ny    22');
    expect(count(1234567.4)).toBe('1,234,567');
    expect(plural(1, 'record')).toBe('1 record');
    expect(plural(0, 'record')).toBe('0 records');
    expect(plural(1200, 'partition')).toBe('1,200 partitions');
  });

  it('renders a result as JSON or YAML', () => {
    expect(renderData('json', { a: [1, 'x'], b: null })).toBe('{\n  "a": [\n    1,\n    "x"\n  ],\n  "b": null\n}');
    expect(renderData('yaml', { a: [1, 'x'], b: null, c: 'yes' })).toBe('a:\n  - 1\n  - x\nb: null\nc: "yes"');
  });

  it('describes a topic with leader, epoch, replicas, ISR and marks what is wrong', () => {
    const topic = topicOutput({
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
    expect(topic.partitions[2]).toEqual({
      partition: 2,
      leader: null,
      leaderEpoch: 7,
      replicas: [3, 1, 2],
      isr: [],
      offline: true,
      underReplicated: true,
    });
    const lines = formatTopic(topic).split('\n');
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

  it('LineWriter writes raw bytes and text in order', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const w = new LineWriter(out);
    await w.write(Buffer.from([0x00, 0xff, 0xfe]));
    await w.line('x');
    await w.write(Buffer.from([0x80]));
    await w.end();
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([0x00, 0xff, 0xfe, 0x78, 0x0a, 0x80]));
  });
});

describe('JSON schemas', () => {
  const schema = s.object(
    { id: s.integer(), name: s.nullable(s.string()), tags: s.array(s.string('', ['a', 'b'])), extra: s.map(s.integer()) },
    ['extra'],
  );

  it('accept what fits and name each field that does not', () => {
    expect(validate(schema, { id: 1, name: null, tags: ['a'] })).toEqual([]);
    expect(validate(schema, { id: 1, name: 'n', tags: [], extra: { x: 2 } })).toEqual([]);
    expect(validate(schema, { id: 1.5, tags: ['c'], other: true, extra: { x: 'y' } })).toEqual([
      '$: missing "name"',
      '$.id: expected an integer',
      '$.tags[0]: "c" is not one of a, b',
      '$: unexpected field "other"',
      '$.extra.x: expected an integer',
    ]);
  });
});

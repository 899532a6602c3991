import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GC_THREADS_MODES,
  SINGLE_THREADED_GC_FLAG,
  SINGLE_THREADED_GC_MAX_CORES,
  gcThreadsMismatch,
  gcThreadsNodeArgs,
  gcThreadsOfProcess,
  parseGcThreads,
} from '../../../libs/service/gc-threads.js';
import { BROKER_YOUNG_GENERATION_FLAG, youngGenerationNodeArgs } from '../../../libs/service/young-generation.js';
import { brokerNodeArgs } from '../../../tools/launcher/index.js';

describe('gcThreadsNodeArgs', () => {
  it('auto is single-threaded up to SINGLE_THREADED_GC_MAX_CORES cores, V8 default above', () => {
    expect(gcThreadsNodeArgs('auto', [], 1)).toEqual([SINGLE_THREADED_GC_FLAG]);
    expect(gcThreadsNodeArgs('auto', [], SINGLE_THREADED_GC_MAX_CORES)).toEqual([SINGLE_THREADED_GC_FLAG]);
    expect(gcThreadsNodeArgs('auto', [], SINGLE_THREADED_GC_MAX_CORES + 1)).toEqual([]);
  });

  it('single and parallel ignore the core count', () => {
    expect(gcThreadsNodeArgs('single', [], 64)).toEqual([SINGLE_THREADED_GC_FLAG]);
    expect(gcThreadsNodeArgs('parallel', [], 1)).toEqual([]);
  });

  it("adds nothing when the operator's own flags already choose GC threading, in any spelling", () => {
    for (const own of [
      '--single-threaded-gc',
      '--single_threaded_gc',
      '--no-single-threaded-gc',
      '--nosingle-threaded-gc',
      '--single-threaded',
      '--no-concurrent-marking',
      '--parallel_scavenge',
      '--no-parallel-marking',
      '--concurrent-sweeping',
    ]) {
      for (const mode of GC_THREADS_MODES) expect(gcThreadsNodeArgs(mode, ['--enable-source-maps', own], 1)).toEqual([]);
    }
  });

  it('is not fooled by flags that only share a prefix', () => {
    expect(gcThreadsNodeArgs('single', ['--single-threaded-gc-in-background', '--concurrent-marking-max-worker-num=1'], 8)).toEqual([
      SINGLE_THREADED_GC_FLAG,
    ]);
  });

  it('parses the three modes and refuses anything else', () => {
    for (const mode of GC_THREADS_MODES) expect(parseGcThreads(` ${mode} `)).toBe(mode);
    expect(() => parseGcThreads('on')).toThrow(/expected one of auto, single, parallel/);
  });
});

describe('gcThreadsOfProcess / gcThreadsMismatch', () => {
  it('reads the command line, the last GC flag winning', () => {
    expect(gcThreadsOfProcess(['--enable-source-maps'])).toBe('parallel');
    expect(gcThreadsOfProcess(['--single-threaded-gc'])).toBe('single');
    expect(gcThreadsOfProcess(['--single_threaded'])).toBe('single');
    expect(gcThreadsOfProcess(['--single-threaded-gc', '--no-single-threaded-gc'])).toBe('parallel');
    expect(gcThreadsOfProcess(['--single-threaded-gc-in-background'])).toBe('parallel');
  });

  it('says when an explicit setting was not applied on the command line, and nothing for auto', () => {
    expect(gcThreadsMismatch('single', [])).toMatch(/without --single-threaded-gc/);
    expect(gcThreadsMismatch('parallel', ['--single-threaded-gc'])).toMatch(/with --single-threaded-gc/);
    expect(gcThreadsMismatch('single', ['--single-threaded-gc'])).toBeUndefined();
    expect(gcThreadsMismatch('parallel', [])).toBeUndefined();
    expect(gcThreadsMismatch('auto', [])).toBeUndefined();
    expect(gcThreadsMismatch('auto', ['--single-threaded-gc'])).toBeUndefined();
  });
});

describe('brokerNodeArgs (tools/launcher)', () => {
  const YG = BROKER_YOUNG_GENERATION_FLAG;
  it('puts the GC flags ahead of the caller flags; SAMSA_GC_THREADS in options.env wins over the process env', () => {
    // The default is V8's parallel GC on any machine (ADR 0060's amendment: single costs ~30 MiB of RSS),
    // with the young generation capped (ADR 0061).
    expect(brokerNodeArgs({ brokerNodeArgs: ['--cpu-prof'] }, {}, 2)).toEqual([YG, '--cpu-prof']);
    expect(brokerNodeArgs({ brokerNodeArgs: ['--cpu-prof'] }, { SAMSA_GC_THREADS: 'auto' }, 2)).toEqual([
      SINGLE_THREADED_GC_FLAG,
      YG,
      '--cpu-prof',
    ]);
    expect(brokerNodeArgs({}, {}, 16)).toEqual([YG]);
    expect(brokerNodeArgs({}, { SAMSA_GC_THREADS: 'single' }, 16)).toEqual([SINGLE_THREADED_GC_FLAG, YG]);
    expect(brokerNodeArgs({ env: { SAMSA_GC_THREADS: 'parallel' } }, { SAMSA_GC_THREADS: 'single' }, 1)).toEqual([YG]);
    expect(brokerNodeArgs({ brokerGcThreads: 'single', env: { SAMSA_GC_THREADS: 'parallel' } }, {}, 16)).toEqual([
      SINGLE_THREADED_GC_FLAG,
      YG,
    ]);
  });

  it("keeps an operator's own GC flags and adds none of their kind", () => {
    expect(brokerNodeArgs({ brokerGcThreads: 'single', brokerNodeArgs: ['--no-single-threaded-gc'] }, {}, 1)).toEqual([
      YG,
      '--no-single-threaded-gc',
    ]);
    expect(brokerNodeArgs({ brokerNodeArgs: ['--max-semi-space-size=16'] }, {}, 16)).toEqual(['--max-semi-space-size=16']);
    expect(brokerNodeArgs({ brokerNodeArgs: ['--min_semi_space_size', '8'] }, {}, 16)).toEqual(['--min_semi_space_size', '8']);
    expect(youngGenerationNodeArgs(['--max-semi-space-sizes'])).toEqual([YG]);
    // In NODE_OPTIONS too: a command-line flag would override it. options.env's NODE_OPTIONS is the brokers'.
    expect(brokerNodeArgs({}, { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=16' }, 16)).toEqual([]);
    expect(brokerNodeArgs({ env: { NODE_OPTIONS: '--max-semi-space-size=16' } }, {}, 16)).toEqual([]);
    expect(brokerNodeArgs({ env: { NODE_OPTIONS: '' } }, { NODE_OPTIONS: '--max-semi-space-size=16' }, 16)).toEqual([YG]);
  });

  it('refuses a bad SAMSA_GC_THREADS before anything starts', () => {
    expect(() => brokerNodeArgs({}, { SAMSA_GC_THREADS: 'yes' })).toThrow(/SAMSA_GC_THREADS|expected one of/);
  });

  it('caps the semi-spaces at 4 MiB, and the image and compose files start brokers with the same flag', () => {
    expect(YG).toBe('--max-semi-space-size=4');
    const root = new URL('../../../', import.meta.url);
    expect(readFileSync(new URL('Dockerfile', root), 'utf8')).toMatch(
      /CMD \["node", "--max-semi-space-size=4",[^\n]*services\/broker\/main\.js"\]/,
    );
    expect(readFileSync(new URL('docker-compose.yml', root), 'utf8')).toMatch(
      /&broker-command \[node, --max-semi-space-size=4,[^\n]*services\/broker\/main\.js\]/,
    );
  });
});

/**
 * Why the flag goes on the command line (libs/service/gc-threads.ts): a process allocating like a
 * broker (external buffers, small objects, a live set) until V8 has done several full GCs.
 */
const ALLOCATE = `
const { PerformanceObserver, constants } = require('node:perf_hooks');
let majors = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; }).observe({ entryTypes: ['gc'] });
if (process.argv[1] === 'runtime') require('node:v8').setFlagsFromString('${SINGLE_THREADED_GC_FLAG}');
const live = [];
let n = 0;
function step() {
  for (let k = 0; k < 50; k++, n++) {
    const b = Buffer.allocUnsafeSlow(500 * 1024);
    const objs = [];
    for (let i = 0; i < 2000; i++) objs.push({ i, v: b.subarray(i * 10, i * 10 + 10) });
    live[n % 2000] = objs[n % 2000];
  }
  if (majors >= 5) { console.log('majors', majors); return; }
  setImmediate(step);
}
step();
`;

describe('V8 and --single-threaded-gc', () => {
  const run = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });

  it('runs full GCs with the flag on the command line', () => {
    const r = run([SINGLE_THREADED_GC_FLAG, '-e', ALLOCATE, 'argv']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^majors \d+/);
  });

  it('aborts when the flag is set after start (so the launcher sets it, not the broker)', () => {
    const r = run(['-e', ALLOCATE, 'runtime']);
    // If this starts passing a run through, V8 takes the flag at run time: heap-growth.ts's way would do.
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Fatal error|Check failed/);
  });
});

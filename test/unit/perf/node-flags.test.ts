import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSUMER_NODE_FLAGS, missingNodeFlags } from '../../../tools/perf/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('the consuming processes’ node flags (ADR 0062)', () => {
  it('are all missing from a plain node', () => {
    expect(missingNodeFlags(CONSUMER_NODE_FLAGS, [])).toEqual([...CONSUMER_NODE_FLAGS]);
    expect(missingNodeFlags(CONSUMER_NODE_FLAGS, ['--enable-source-maps'])).toEqual([...CONSUMER_NODE_FLAGS]);
  });

  it('are not missing when given, and a value or form the caller chose for one wins', () => {
    expect(missingNodeFlags(CONSUMER_NODE_FLAGS, [...CONSUMER_NODE_FLAGS])).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size=32'], ['--max_semi_space_size=64'])).toEqual([]);
    expect(missingNodeFlags(['--no-allocation-site-pretenuring'], ['--allocation-site-pretenuring'])).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size=32', '--no-allocation-site-pretenuring'], ['--max-semi-space-size=16'])).toEqual([
      '--no-allocation-site-pretenuring',
    ]);
  });

  it("are among the flags the samsa command starts its node with (its #! line), and npm run samsa and the compose file's cli pass the same", () => {
    const shebang = readFileSync(join(root, 'cli', 'main.ts'), 'utf8').split('\n')[0] as string;
    const prefix = '#!/usr/bin/env -S node ';
    expect(shebang.startsWith(prefix)).toBe(true);
    const flags = shebang.slice(prefix.length);
    expect(missingNodeFlags(CONSUMER_NODE_FLAGS, flags.split(' '))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.samsa).toBe(`node ${flags} dist/cli/main.js`);
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`entrypoint: ${JSON.stringify(['node', ...flags.split(' '), 'dist/cli/main.js']).replace(/,/g, ', ')}`);
  });
});

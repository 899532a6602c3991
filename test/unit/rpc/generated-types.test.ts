/**
 * libs/rpc/generated is generated from proto/samsa/v1 by scripts/gen-proto-types.mjs and committed
 * (the build compiles what is committed): CI fails when a .proto changed without `npm run gen`, or
 * when someone edited a generated file by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const committedDir = join(root, 'libs', 'rpc', 'generated');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

describe('the generated proto types (libs/rpc/generated)', () => {
  const freshDir = mkdtempSync(join(tmpdir(), 'samsa-gen-'));
  afterAll(() => rmSync(freshDir, { recursive: true, force: true }));

  it('are what `npm run gen` makes from the protos today (else run `npm run gen` and commit)', () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'gen-proto-types.mjs'), relative(root, freshDir)], { cwd: root, stdio: 'pipe' });
    const fresh = filesUnder(freshDir);
    expect(filesUnder(committedDir), 'libs/rpc/generated has other files than `npm run gen` makes').toEqual(fresh);
    for (const f of fresh) {
      // Line by line, so a failure names the file and shows the stale lines.
      const committed = readFileSync(join(committedDir, f), 'utf8').split('\n');
      expect(committed, `libs/rpc/generated/${f} is stale or edited by hand: run \`npm run gen\` and commit it`).toEqual(
        readFileSync(join(freshDir, f), 'utf8').split('\n'),
      );
    }
  });
});

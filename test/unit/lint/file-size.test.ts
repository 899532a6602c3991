/**
 * Files stay small enough to hold in one's head (issue 13): a TypeScript or JavaScript file in git
 * (libs, services, tools, cli, bench, test, scripts, examples: every folder) over 500 lines says in
 * its header why it stays whole ("Why one file"), so a file that grows past the line is either
 * split by concept or explained, never silently large. Generated code is exempt.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const MAX_LINES = 500;
/** The header is the first comment block; the reason must be in it, not somewhere in the body. */
const HEADER_LINES = 80;

describe('file size', () => {
  it(`every file over ${MAX_LINES} lines says in its header why it stays whole`, () => {
    const files = execFileSync('git', ['ls-files', '*.ts', '*.mts', '*.js', '*.mjs', '*.cjs'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '' && !f.includes('/generated/'));
    const unexplained = files.filter((f) => {
      let text: string;
      try {
        text = readFileSync(join(root, f), 'utf8');
      } catch {
        return false; // listed by git but deleted in the work tree
      }
      const lines = text.split('\n');
      const count = text.endsWith('\n') ? lines.length - 1 : lines.length; // as wc -l counts
      if (count <= MAX_LINES) return false;
      return !lines.slice(0, HEADER_LINES).some((l) => l.includes('Why one file'));
    });
    // The pathspecs match at any depth: the rule sees every part of the tree, not only libs/.
    for (const top of ['libs/', 'services/', 'tools/', 'cli/', 'bench/', 'test/', 'scripts/']) {
      expect(files.some((f) => f.startsWith(top))).toBe(true);
    }
    expect(unexplained).toEqual([]);
  });
});

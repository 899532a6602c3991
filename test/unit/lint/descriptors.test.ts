/**
 * Issue 18: a broker's descriptors must not depend on its partition count. The log and replica code
 * opens files through the broker's log-file pool (libs/log/file-pool.ts); what it opens otherwise
 * must be listed, with why it is bounded, in OUTSIDE_THE_LOG_FILE_POOL (services/broker/fd-limit.ts),
 * which the pool's reserve covers. A plain writeFile of every log's clean-shutdown marker, run for
 * all logs at once at shutdown, ran a 256-descriptor broker out of them (replica-budget.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTSIDE_THE_LOG_FILE_POOL } from '../../../services/broker/fd-limit.js';

const root = join(import.meta.dirname, '..', '..', '..');
/** node:fs calls (and their Sync forms) that hold a descriptor while they run (rm only when recursive: it lists directories). */
const OPENING = new Set([
  'open',
  'readFile',
  'writeFile',
  'appendFile',
  'readdir',
  'opendir',
  'copyFile',
  'cp',
  'truncate',
  'createReadStream',
  'createWriteStream',
  'watch',
  'rm',
]);

/** The descriptor-holding node:fs calls `text` imports (and, for rm, calls recursively). */
function openingCalls(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'node:fs(?:\/promises)?'/g))
    for (const raw of (m[1] as string).split(',')) {
      const name = raw
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0] as string;
      if (!OPENING.has(name.replace(/Sync$/, ''))) continue;
      if (name === 'rm' && !/\brm\([^)]*recursive:\s*true/.test(text)) continue;
      found.add(name);
    }
  if (/import\s+\*\s+as\s+\w+\s+from\s*'node:fs/.test(text) || /from\s*'fs(\/promises)?'/.test(text)) found.add('(namespace import)');
  return [...found].sort();
}

describe('descriptors outside the log-file pool', () => {
  it('libs/log and libs/replica open files only through the pool, or as listed in OUTSIDE_THE_LOG_FILE_POOL with why', () => {
    const actual: Record<string, string[]> = {};
    for (const lib of ['libs/log', 'libs/replica'])
      for (const name of readdirSync(join(root, lib)).filter((n) => n.endsWith('.ts'))) {
        const calls = openingCalls(readFileSync(join(root, lib, name), 'utf8'));
        if (calls.length > 0) actual[`${lib}/${name}`] = calls;
      }
    const listed = Object.fromEntries(OUTSIDE_THE_LOG_FILE_POOL.map((e) => [e.file, [...e.calls].sort()]));
    expect(actual).toEqual(listed);
    for (const e of OUTSIDE_THE_LOG_FILE_POOL) expect(e.why.length, e.file).toBeGreaterThan(20);
  });

  it('sees the calls it looks for', () => {
    expect(openingCalls("import { mkdir, rename, rm, writeFile } from 'node:fs/promises';\nawait rm(p, { force: true });")).toEqual([
      'writeFile',
    ]);
    expect(openingCalls("import { rm } from 'node:fs/promises';\nawait rm(dir, { recursive: true, force: true });")).toEqual(['rm']);
    expect(openingCalls("import { readFileSync as r, statSync, type Dirent } from 'node:fs';")).toEqual(['readFileSync']);
    expect(openingCalls("import { readFile as read } from 'node:fs/promises';")).toEqual(['readFile']);
  });
});

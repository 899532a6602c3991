/**
 * docs/architecture.md stays true (issue 13: "kept true by the lint rules"): its picture of the code
 * layers and its table of which lib imports which against LIB_DEPS in scripts/lint/layers.mjs (what
 * `npm run lint` enforces) and against the folders in this checkout. The picture: every lib folder
 * is in it, once, and nothing else; every LIB_DEPS edge goes to a lower row or within the row;
 * every service folder and tool is named. The table: the same edges as LIB_DEPS, no more, no
 * fewer, in the picture's order. And every repository path the page names exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIB_DEPS } from '../../../scripts/lint/layers.mjs';

const root = join(import.meta.dirname, '..', '..', '..');
const page = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
const deps: Record<string, readonly string[]> = LIB_DEPS;
const dirs = (under: string): string[] =>
  readdirSync(join(root, under), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

/** The code block under "## Code layers". */
function layersPicture(): string[] {
  const section = page.slice(page.indexOf('## Code layers'));
  const block = /```\n([\s\S]*?)\n```/.exec(section);
  if (!block?.[1]) throw new Error('docs/architecture.md: no picture under "## Code layers"');
  return block[1].split('\n');
}

/**
 * The picture's lib rows, top first: a row is a line indented by exactly two spaces below the
 * "libs/" rule, made of "<lib>   <what it is>" cells three or more spaces apart (deeper-indented
 * lines continue a row's text).
 */
function libRows(): string[][] {
  const lines = layersPicture();
  const rule = lines.findIndex((l) => /^\s*-{10,}\s+libs\//.test(l));
  expect(rule, 'the picture has a "---- libs/" rule above the lib rows').toBeGreaterThan(-1);
  return lines
    .slice(rule + 1)
    .filter((l) => /^ {2}\S/.test(l))
    .map((l) =>
      l
        .trim()
        .split(/\s{3,}/)
        .filter((_, i) => i % 2 === 0),
    );
}

/** The "| lib | imports |" table: lib -> its imports, in the page's order. */
function importsTable(): [string, string[]][] {
  const rows = page.split('\n').filter((l) => /^\| [a-z][a-z-]* \| /.test(l) && !l.startsWith('| lib |'));
  return rows.map((l) => {
    const [, lib, imports] = l.split('|').map((c) => c.trim()) as [string, string, string];
    return [lib, imports === '(nothing)' ? [] : imports.split(',').map((x) => x.trim())];
  });
}

describe('docs/architecture.md against the layer table (LIB_DEPS) and the tree', () => {
  it('the picture shows every lib folder once, and only those', () => {
    const shown = libRows().flat();
    expect([...shown].sort(), 'each lib in the picture (libs/*) once').toEqual(dirs('libs'));
    expect(new Set(shown).size).toBe(shown.length);
    expect(Object.keys(deps).sort(), 'LIB_DEPS lists every lib folder').toEqual(dirs('libs'));
  });

  it('every LIB_DEPS edge goes down the picture, or to a neighbour in the same row', () => {
    const row = new Map(libRows().flatMap((libs, i) => libs.map((lib) => [lib, i] as const)));
    const upwards = Object.entries(deps).flatMap(([lib, to]) =>
      to.filter((d) => (row.get(d) ?? Infinity) < (row.get(lib) ?? -Infinity)).map((d) => `${lib} -> ${d}`),
    );
    expect(upwards, 'edges drawn upwards: move a lib in the picture').toEqual([]);
  });

  it('the imports table is LIB_DEPS, lib by lib, in the order of the picture', () => {
    const table = importsTable();
    const expected = libRows()
      .flat()
      .map((lib) => `| ${lib} | ${[...(deps[lib] ?? [])].sort().join(', ') || '(nothing)'} |`);
    // A failure lists the rows to write.
    expect(
      table.map(([lib, imports]) => `| ${lib} | ${[...imports].sort().join(', ') || '(nothing)'} |`),
      'the table under the picture: copy these rows',
    ).toEqual(expected);
  });

  it('names every service and every tool', () => {
    const lines = layersPicture();
    const servicesRow = lines.find((l) => l.trimStart().startsWith('services/')) ?? '';
    for (const service of dirs('services')) expect(servicesRow, `services/${service}`).toMatch(new RegExp(`\\b${service}\\b`));
    const toolsRow = lines.find((l) => l.trimStart().startsWith('tools/')) ?? '';
    const tools = readdirSync(join(root, 'tools')).map((t) => t.replace(/\.ts$/, ''));
    for (const tool of tools) expect(toolsRow, `tools/${tool}`).toMatch(new RegExp(`\\b${tool}\\b`));
  });

  it('every file or folder of the repository that the page names exists', () => {
    const named = new Set<string>();
    for (const m of page.matchAll(/`((?:libs|services|tools|scripts|cli|bench|test|docs|vendor)\/[^`\s<>]*)`/g)) named.add(m[1] as string);
    for (const m of page.matchAll(/\]\(([^)#\s]+)\)/g)) if (!/^[a-z]+:/.test(m[1] as string)) named.add(join('docs', m[1] as string));
    for (const m of page.matchAll(/\b(libs\/[a-z-]+(?:\/[a-z-]+)*\.ts)\b/g)) named.add(m[1] as string);
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});

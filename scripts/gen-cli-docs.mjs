// Writes the command reference of docs/cli.md (between its BEGIN/END GENERATED markers) from the
// built command tree: `npm run build && node scripts/gen-cli-docs.mjs`. `--check` compares instead
// of writing and exits 1 when the page is stale. test/unit/docs/cli-docs.test.ts renders the same
// section from the sources, so CI fails on a stale page.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI_DOC = join(ROOT, 'docs', 'cli.md');
const { buildProgram } = await import(pathToFileURL(join(ROOT, 'dist', 'cli', 'program.js')).href);
const { renderReference, spliceReference } = await import(pathToFileURL(join(ROOT, 'dist', 'cli', 'reference.js')).href);

const unused = () => {
  throw new Error('the reference is rendered without a cluster');
};
const ctx = {
  client: unused,
  output: () => 'text',
  print: unused,
  stdout: unused,
  stderr: unused,
  out: undefined,
  stdin: process.stdin,
  onInterrupt: () => () => undefined,
};
const program = buildProgram(ctx, { writeOut: () => undefined, writeErr: () => undefined });
const page = readFileSync(CLI_DOC, 'utf8');
const next = spliceReference(page, renderReference(program));
if (process.argv.includes('--check')) {
  if (next !== page) {
    console.error('docs/cli.md is stale: run `npm run build && node scripts/gen-cli-docs.mjs`');
    process.exit(1);
  }
} else if (next !== page) {
  writeFileSync(CLI_DOC, next);
  console.log('wrote docs/cli.md');
}

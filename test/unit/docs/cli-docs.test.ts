/**
 * docs/cli.md's command reference is generated from the command tree (cli/reference.ts): CI fails
 * when a command or option changes without `npm run build && node scripts/gen-cli-docs.mjs`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../cli/commands/index.js';
import { allCommands } from '../../../cli/program.js';
import { renderReference, spliceReference } from '../../../cli/reference.js';
import { outputSchemaOf } from '../../../cli/schema.js';
import { commandPath } from '../../../cli/usage.js';
import { parse } from '../cli/program.js';

const CLI_DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'cli.md');

describe('the CLI reference (docs/cli.md)', () => {
  it('is up to date with the command tree (else run `npm run build && node scripts/gen-cli-docs.mjs`)', async () => {
    const { program } = await parse([]);
    const committed = readFileSync(CLI_DOC, 'utf8');
    expect(committed.split('\n'), 'docs/cli.md is stale').toEqual(spliceReference(committed, renderReference(program)).split('\n'));
  });

  it('documents every command, and every command that prints a result has a JSON shape', async () => {
    const { program } = await parse([]);
    const page = readFileSync(CLI_DOC, 'utf8');
    expect(COMMANDS.length).toBeGreaterThan(0);
    for (const cmd of allCommands(program).filter((c) => c !== program)) {
      expect(page).toContain(`### samsa ${commandPath(cmd)}\n`);
      const isGroup = cmd.commands.length > 0;
      if (!isGroup && cmd.name() !== 'completion') expect(outputSchemaOf(cmd), commandPath(cmd)).toBeDefined();
    }
  });
});

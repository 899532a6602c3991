/**
 * The registry of `samsa` commands: one line per top-level command.
 *
 * To add a command (say `samsa acls`):
 *   1. Write cli/commands/acls.ts exporting `export const aclsCommand: CommandModule = (ctx) => ...`
 *      that returns a commander Command: `commandGroup('acls', '...')` (cli/usage.ts) with
 *      `.addCommand(...)` per subcommand, or a plain `new Command('acls')` with `.action(...)`.
 *      Declare options with descriptions (they are the help), parse values with argParsers
 *      (`int(1)`, `collect`) or `new Option(...).choices([...])`, and throw UsageError for a bad
 *      combination (exit 2). Get the client with `ctx.client()` (connected with the global
 *      options) and print the result with `ctx.print(data, toText)`: -o json|yaml prints `data`,
 *      text prints `toText(data)`. Declare the JSON shape with `outputSchema(cmd, s.object({...}))`
 *      (cli/schema.ts) so docs/cli.md shows it and tests check it.
 *   2. Add it to COMMANDS below. Help, `samsa help acls`, completion and docs/cli.md
 *      (`node scripts/gen-cli-docs.mjs`) follow from the tree.
 */
import type { CommandModule } from '../context.js';
import { aclsCommand } from './acls.js';
import { clusterCommand } from './cluster.js';
import { completionCommand } from './completion.js';
import { consumeCommand } from './consume.js';
import { groupsCommand } from './groups.js';
import { perfCommand } from './perf.js';
import { produceCommand } from './produce.js';
import { quotasCommand } from './quotas.js';
import { tokensCommand } from './tokens.js';
import { topicsCommand } from './topics.js';
import { brokersCommand, partitionsCommand } from './partitions.js';

export const COMMANDS: readonly CommandModule[] = [
  topicsCommand,
  partitionsCommand,
  brokersCommand,
  produceCommand,
  consumeCommand,
  groupsCommand,
  clusterCommand,
  aclsCommand,
  quotasCommand,
  tokensCommand,
  perfCommand,
  completionCommand,
];

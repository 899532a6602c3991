/**
 * The CLI's command tree in process, for unit tests of parsing: a context whose client() fails the
 * test if called (a usage error must be found before the cluster is contacted), output captured.
 */
import type { Command } from 'commander';
import { PassThrough } from 'node:stream';
import type { Samsa } from '../../../libs/client/index.js';
import type { CommandContext } from '../../../cli/context.js';
import { LineWriter } from '../../../cli/output.js';
import { buildProgram, rewriteHelp } from '../../../cli/program.js';

export interface Parsed {
  /** The tree that parsed, to walk in tests. */
  program: Command;
  /** What was thrown: a UsageError, commander's CommanderError, or the client guard's Error. */
  error: unknown;
  stdout: string;
  stderr: string;
}

export async function parse(argv: string[]): Promise<Parsed> {
  let stdout = '';
  let stderr = '';
  const ctx: CommandContext = {
    client: (): Samsa => {
      throw new Error('the cluster must not be contacted for a usage error');
    },
    output: () => 'text',
    print: (data, text) => void (stdout += text(data) + '\n'),
    stdout: (t) => void (stdout += t + '\n'),
    stderr: (t) => void (stderr += t + '\n'),
    out: new LineWriter(new PassThrough()),
    stdin: new PassThrough(),
    onInterrupt: () => () => undefined,
  };
  const program = buildProgram(ctx, { writeOut: (t) => void (stdout += t), writeErr: (t) => void (stderr += t) });
  try {
    await program.parseAsync(rewriteHelp(argv), { from: 'user' });
    return { program, error: undefined, stdout, stderr };
  } catch (error) {
    return { program, error, stdout, stderr };
  }
}

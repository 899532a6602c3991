/**
 * The CLI's exit-code policy and the helpers command modules use to refuse a bad command line.
 *
 * Exit codes (docs/cli.md says the same):
 *   0    ok (also --help and --version)
 *   1    failure: the cluster said no, or could not be reached, or the input was bad
 *   2    usage: the command line is wrong (unknown command or option, bad or missing value)
 *   130  interrupted by Ctrl-C (SIGINT) or SIGTERM, after the command stopped cleanly
 *
 * A mistake in how the CLI was called is a UsageError (or commander's own parse error): printed
 * as one `samsa: ...` line, then the usage line of the command and a hint to --help.
 */
import { Command, InvalidArgumentError } from 'commander';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

/** An option-argument parser for integers >= min (commander's argParser). */
export function int(min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`It must be an integer >= ${min}.`);
    return n;
  };
}

/** An option-argument parser for repeatable options: collects every value in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The words of a command path, without the program name: `topics create`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * A command that only groups subcommands (`samsa topics`): run without one, or with an unknown
 * one, it is a UsageError naming the subcommands there are.
 */
export function commandGroup(name: string, description: string): Command {
  const group = new Command(name).description(description).allowExcessArguments(true);
  group.action((_options: unknown, self: Command) => {
    const names = self.commands.filter((c) => c.name() !== 'help').map((c) => c.name());
    const [sub] = self.args;
    throw new UsageError(
      sub === undefined ? `missing ${name} subcommand (${names.join(', ')})` : `unknown ${name} subcommand "${sub}" (${names.join(', ')})`,
    );
  });
  return group;
}

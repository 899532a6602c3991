/**
 * What a command module gets from the CLI: the one Samsa client (made on first use from the global
 * options, closed by main), the output format chosen with -o, and the process's streams. A command
 * module is a function from this context to a commander Command (see cli/commands/index.ts).
 */
import type { Command } from 'commander';
import type { Readable } from 'node:stream';
import type { Samsa } from '../libs/client/index.js';
import type { LineWriter, OutputFormat } from './output.js';

export interface CommandContext {
  /** The client, connected with the global --bootstrap/--tls-* options. Made on the first call. */
  client(): Samsa;
  /** -o/--output: text (default), json or yaml. */
  output(): OutputFormat;
  /**
   * Prints a command's whole result: `data` as JSON or YAML with -o json|yaml, else `text(data)`.
   * The JSON shape is the command's documented schema (cli/schemas.ts).
   */
  print<T>(data: T, text: (data: T) => string): void;
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout for streams of records: batched, honours a full pipe. */
  out: LineWriter;
  stdin: Readable & { isTTY?: boolean };
  /** Registers what to do on Ctrl-C instead of exiting at once; returns a function that unregisters it. */
  onInterrupt(stop: () => void): () => void;
}

/** One top-level command (with its subcommands), built against the context. */
export type CommandModule = (ctx: CommandContext) => Command;

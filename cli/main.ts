#!/usr/bin/env node
/**
 * `samsa`: the command-line tool. Parses the global options and the command words, runs the
 * command with one Samsa client that it closes at the end, and turns every failure into one plain
 * line on stderr and an exit code: 0 ok, 1 error (the cluster said no, or cannot be reached),
 * 2 usage (the command line is wrong). SAMSA_DEBUG=1 adds stack traces.
 *
 * Tracing: started as `node --import ./dist/libs/telemetry/instrumentation.js dist/cli/main.js ...`
 * with OTEL_EXPORTER_OTLP_ENDPOINT set, produce and consume are traced like any SDK client.
 */
import { readFileSync } from 'node:fs';
import { Samsa, SamsaError, type SamsaTlsOptions } from '../libs/client/index.js';
import { clientTlsFromEnv } from '../libs/security/index.js';
import { shutdownTelemetry } from '../libs/telemetry/index.js';
import { clusterCommand } from './commands/cluster.js';
import { consumeCommand } from './commands/consume.js';
import { perfCommand } from './commands/perf.js';
import { produceCommand } from './commands/produce.js';
import { topicsCommand } from './commands/topics.js';
import { groupsCommand } from './commands/groups.js';
import { GROUPS_HELP, MAIN_HELP, TOPICS_HELP } from './help.js';
import { LineWriter } from './output.js';
import { DEFAULT_BOOTSTRAP, EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

interface TlsFlags {
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

/** Splits off global options given before the command; the rest is the command and its arguments. */
function splitGlobals(argv: string[]): { bootstrap: string | undefined; help: boolean; tls: TlsFlags; rest: string[] } {
  let bootstrap: string | undefined;
  let help = false;
  const tls: TlsFlags = {};
  const TLS_FLAGS = { '--tls-ca': 'ca', '--tls-cert': 'cert', '--tls-key': 'key' } as const;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--tls-') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name in TLS_FLAGS) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a file`);
      tls[TLS_FLAGS[name as keyof typeof TLS_FLAGS]] = value;
    } else if (arg === '--insecure') tls.insecure = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--bootstrap') {
      bootstrap = argv[++i];
      if (bootstrap === undefined) throw new UsageError('--bootstrap needs HOST:PORT');
    } else if (arg.startsWith('--bootstrap=')) bootstrap = arg.slice('--bootstrap='.length);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else break;
  }
  return { bootstrap, help, tls, rest: argv.slice(i) };
}

/**
 * The CLI's transport: --tls-* flags, else SAMSA_TLS_* / SAMSA_INSECURE, else the certificates
 * `npm start` made under ./data/tls (or $SAMSA_DATA_DIR/tls). No silent plaintext: with none of
 * these the command fails and says what to give.
 */
function tlsOptions(flags: TlsFlags): SamsaTlsOptions | false {
  const found = clientTlsFromEnv(process.env, flags);
  if (found === 'insecure') return false;
  if (found === undefined) {
    throw new UsageError(
      'no TLS certificates: Samsa clusters serve TLS by default. Give --tls-ca FILE (and --tls-cert/--tls-key for a client certificate), ' +
        'or SAMSA_TLS_CA/SAMSA_TLS_CERT/SAMSA_TLS_KEY, or run from the directory holding the data/ of `npm start` (data/tls/), ' +
        'or --insecure (SAMSA_INSECURE=1) for a cluster started with --insecure',
    );
  }
  try {
    return {
      ca: readFileSync(found.ca),
      ...(found.cert !== undefined ? { cert: readFileSync(found.cert) } : {}),
      ...(found.key !== undefined ? { key: readFileSync(found.key) } : {}),
    };
  } catch (err) {
    throw new UsageError(`cannot read TLS files: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** --bootstrap given after the command wins over one before it, which wins over SAMSA_BOOTSTRAP. */
function bootstrapFrom(args: string[], fallback: string): string {
  let found = fallback;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg === '--bootstrap' && args[i + 1] !== undefined) found = args[i + 1] as string;
    else if (arg.startsWith('--bootstrap=')) found = arg.slice('--bootstrap='.length);
  }
  return found;
}

async function main(argv: string[]): Promise<number> {
  const stdout = (text: string): void => void process.stdout.write(text + '\n');
  const stderr = (text: string): void => void process.stderr.write(text + '\n');
  let samsa: Samsa | undefined;
  const interrupts = new Set<() => void>();
  const onSignal = (): void => {
    if (interrupts.size === 0) process.exit(130);
    for (const stop of interrupts) stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `samsa consume ... | head`: a closed pipe ends the command quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
    process.stderr.write(`samsa: cannot write output: ${err.message}\n`);
    process.exit(EXIT_ERROR);
  });
  try {
    const globals = splitGlobals(argv);
    const [command, ...rest] = globals.rest;
    if (command === undefined || command === 'help') {
      if (globals.help || command === 'help') {
        stdout(MAIN_HELP);
        return EXIT_OK;
      }
      throw new UsageError('missing command');
    }
    const bootstrap = bootstrapFrom(rest, globals.bootstrap ?? process.env.SAMSA_BOOTSTRAP ?? DEFAULT_BOOTSTRAP);
    const client = (): Samsa => (samsa ??= new Samsa({ bootstrap, tls: tlsOptions(globals.tls) }));
    const withHelp = globals.help ? [...rest, '--help'] : rest;
    switch (command) {
      case 'topics': {
        const [sub, ...args] = withHelp;
        if (sub === '--help' || sub === '-h' || (sub === undefined && globals.help)) {
          stdout(TOPICS_HELP);
          return EXIT_OK;
        }
        await topicsCommand(sub, args, client, { stdout });
        break;
      }
      case 'groups': {
        const [sub, ...args] = withHelp;
        if (sub === '--help' || sub === '-h' || (sub === undefined && globals.help)) {
          stdout(GROUPS_HELP);
          return EXIT_OK;
        }
        await groupsCommand(sub, args, client, { stdout });
        break;
      }
      case 'produce':
        await produceCommand(withHelp, client, { stdin: process.stdin, stdout, stderr });
        break;
      case 'consume':
        await consumeCommand(withHelp, client, {
          stdout,
          stderr,
          out: new LineWriter(process.stdout),
          onInterrupt: (stop) => {
            interrupts.add(stop);
            return () => interrupts.delete(stop);
          },
        });
        break;
      case 'cluster':
        await clusterCommand(withHelp, client, { stdout });
        break;
      case 'perf': {
        const [sub, ...args] = withHelp;
        await perfCommand(sub, args, client, {
          stdout,
          stderr,
          onInterrupt: (stop) => {
            interrupts.add(stop);
            return () => interrupts.delete(stop);
          },
        });
        break;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
    return EXIT_OK;
  } catch (err) {
    return report(err, stderr);
  } finally {
    await samsa?.close();
    // Run with `node --import .../instrumentation.js`, the CLI traces too: send its spans before exiting.
    await shutdownTelemetry();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(err: unknown, stderr: (text: string) => void): number {
  const debug = Boolean(process.env.SAMSA_DEBUG);
  if (err instanceof UsageError) {
    stderr(`samsa: ${err.message}`);
    // The usage lines of the command (its help up to the first blank line), not the whole help.
    const usage = err.command.split('\n\n')[0];
    stderr(usage ? `${usage}\n(add --help for details)` : 'Run `samsa --help` for usage.');
    return EXIT_USAGE;
  }
  if (err instanceof SamsaError) {
    // A plain sentence; the reason in brackets is what scripts and bug reports can search for.
    const reason = err.reason === 'NOT_READY' && err.name === 'BrokerUnreachableError' ? '' : ` [${err.reason}]`;
    stderr(`samsa: ${err.message}${reason}`);
  } else {
    stderr(`samsa: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (debug && err instanceof Error && err.stack) stderr(err.stack);
  return EXIT_ERROR;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`samsa: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_ERROR;
  },
);

#!/usr/bin/env -S node --max-semi-space-size=32
/**
 * `samsa`: the command-line tool. Builds the command tree (cli/program.ts), runs the command with
 * one Samsa client that it closes at the end, and turns every failure into one plain line on stderr
 * and an exit code (the policy is in cli/usage.ts: 0 ok, 1 failure, 2 usage, 130 interrupted).
 * SAMSA_DEBUG=1 adds stack traces.
 *
 * Tracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, produce and consume are traced like any SDK
 * client; the spans are sent before the process exits (shutdownTelemetry below).
 *
 * The `#!` line gives V8 32 MiB semi-spaces (default 16): `samsa consume` and `samsa perf consume`
 * allocate a Buffer view and an object per record, and with the default young generation the
 * scavenges are a large share of a 100-byte consumer's time (docs/benchmarks.md, session 6: 100 B
 * consume 454-571k -> 760-846k records/s with only the consuming process flagged). V8 takes it only
 * at start; `env -S` passes it (coreutils >= 8.30, BSD, macOS). The services keep the defaults: the
 * same flag on the brokers showed no consistent gain (A/B pairs within the noise).
 */
import * as grpc from '@grpc/grpc-js';
import { CommanderError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { Samsa, SamsaError, type SamsaTlsOptions } from '../libs/client/index.js';
import { checkHealth } from '../libs/rpc/index.js';
import { clientTlsFromEnv } from '../libs/security/index.js';
import { shutdownTelemetry } from '../libs/telemetry/index.js';
import type { CommandContext } from './context.js';
import { LineWriter, renderData } from './output.js';
import { buildProgram, rewriteHelp, usageLine, type GlobalOptions } from './program.js';
import { DEFAULT_BOOTSTRAP, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

/**
 * The CLI's transport: --tls-* flags, else SAMSA_TLS_* / SAMSA_INSECURE, else the certificates
 * `npm start` made under ./data/tls (or $SAMSA_DATA_DIR/tls). No silent plaintext: with none of
 * these the command fails and says what to give.
 */
function tlsOptions(g: GlobalOptions): SamsaTlsOptions | false {
  const flags = {
    ...(g.tlsCa ? { ca: g.tlsCa } : {}),
    ...(g.tlsCert ? { cert: g.tlsCert } : {}),
    ...(g.tlsKey ? { key: g.tlsKey } : {}),
    ...(g.insecure ? { insecure: true } : {}),
  };
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

const pem = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b) : b);

/** What to say when `address` serves something other than a broker; undefined when it is a broker or cannot tell. */
async function wrongService(address: string, tls: SamsaTlsOptions | false): Promise<string | undefined> {
  const credentials =
    tls === false
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(pem(tls.ca), tls.key === undefined ? null : pem(tls.key), tls.cert === undefined ? null : pem(tls.cert));
  const serves = async (service: string): Promise<boolean> => {
    const status = await checkHealth(address, `samsa.v1.${service}`, 2000, credentials);
    return status === 'SERVING' || status === 'NOT_SERVING';
  };
  if (await serves('BrokerService')) return undefined;
  const use =
    "use a broker's address with --bootstrap (or SAMSA_BOOTSTRAP); `npm start` prints them, and `samsa cluster` lists them once connected";
  if (await serves('ControllerService')) return `${address} is a controller, not a broker: ${use}`;
  if (await serves('CoordinatorService')) return `${address} is a group coordinator, not a broker: ${use}`;
  return undefined;
}

/** A call the server does not implement: the address is not a broker (or not Samsa at all). */
function isUnimplemented(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === grpc.status.UNIMPLEMENTED) return true;
    if (/does not implement the method/.test(e.message)) return true;
  }
  return false;
}

async function main(argv: string[]): Promise<number> {
  const stdout = (text: string): void => void process.stdout.write(text + '\n');
  const stderr = (text: string): void => void process.stderr.write(text + '\n');
  let samsa: Samsa | undefined;
  let tls: SamsaTlsOptions | false | undefined;
  let bootstrap = DEFAULT_BOOTSTRAP;
  let interrupted = false;
  const interrupts = new Set<() => void>();
  const onSignal = (): void => {
    interrupted = true;
    // Nothing to stop cleanly (a command between steps, or one that just waits): leave at once.
    if (interrupts.size === 0) process.exit(EXIT_INTERRUPTED);
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

  let program: Command | undefined;
  let active: Command | undefined;
  const globals = (): GlobalOptions => program?.opts<GlobalOptions>() ?? { output: 'text' };
  const ctx: CommandContext = {
    client: () => {
      if (samsa) return samsa;
      const g = globals();
      bootstrap = g.bootstrap ?? process.env.SAMSA_BOOTSTRAP ?? DEFAULT_BOOTSTRAP;
      tls = tlsOptions(g);
      const token = g.token ?? (process.env.SAMSA_TOKEN || undefined);
      const clientId = g.clientId ?? (process.env.SAMSA_CLIENT_ID || undefined);
      samsa = new Samsa({ bootstrap, tls, ...(token !== undefined ? { token } : {}), ...(clientId !== undefined ? { clientId } : {}) });
      return samsa;
    },
    output: () => globals().output,
    print: (data, text) => {
      const format = globals().output;
      const rendered = format === 'text' ? text(data) : renderData(format, data);
      if (rendered !== '') stdout(rendered);
    },
    stdout,
    stderr,
    out: new LineWriter(process.stdout),
    stdin: process.stdin,
    onInterrupt: (stop) => {
      interrupts.add(stop);
      return () => interrupts.delete(stop);
    },
  };
  try {
    program = buildProgram(ctx, { writeOut: (t) => void process.stdout.write(t), writeErr: (t) => void process.stderr.write(t) });
    program.hook('preAction', (_root, command) => {
      active = command;
    });
    await program.parseAsync(rewriteHelp(argv), { from: 'user' });
    return interrupted ? EXIT_INTERRUPTED : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the help, the version, or the `samsa: ...` line and the usage.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      stderr(`samsa: ${err.message}`);
      stderr(active ? `${usageLine(active)}\n(add --help for details)` : 'Run `samsa --help` for usage.');
      return EXIT_USAGE;
    }
    if (isUnimplemented(err) && tls !== undefined) {
      const said = (await Promise.all(bootstrap.split(',').map((a) => wrongService(a.trim(), tls as SamsaTlsOptions | false)))).find(
        (m) => m !== undefined,
      );
      if (said) {
        stderr(`samsa: ${said}`);
        return EXIT_ERROR;
      }
    }
    report(err, stderr);
    return interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
  } finally {
    await samsa?.close();
    // A traced CLI sends its spans before exiting.
    await shutdownTelemetry();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(err: unknown, stderr: (text: string) => void): void {
  if (err instanceof SamsaError) {
    // A plain sentence; the reason in brackets is what scripts and bug reports can search for.
    const reason = err.reason === 'NOT_READY' && err.name === 'BrokerUnreachableError' ? '' : ` [${err.reason}]`;
    stderr(`samsa: ${err.message}${reason}`);
  } else {
    stderr(`samsa: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (process.env.SAMSA_DEBUG && err instanceof Error && err.stack) stderr(err.stack);
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

/**
 * The built `samsa` CLI without a cluster: every command's help (walked from the command tree),
 * --version, the bash and zsh completion scripts run by the real shells (zsh is installed by
 * scripts/install.sh, as CI runs it), the exit code on Ctrl-C,
 * and `samsa` installed with `npm install -g` from this checkout, offline (no registry).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tools/launcher/index.js';
import { allCommands, leafCommands } from '../../cli/program.js';
import { commandPath } from '../../cli/usage.js';
import { CLI, runCli } from '../harness/cli.js';
import { tempDir } from '../harness/cluster.js';
import { parse } from '../unit/cli/program.js';

const { program } = await parse([]);
const commands = allCommands(program).filter((c) => c !== program);
const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('samsa help', () => {
  // The walk runs the command tree in this process (the same buildProgram and rewriteHelp that
  // cli/main.ts runs); spawning node for each of the 44 helps took 70 s of CI, ~130 s under load.
  // The built CLI is run as a process for the top-level help and for every command's help once,
  // all in one node that loads dist/cli/program.js once (helpsOfBuiltCli), and must print the same.
  it('the top-level help lists every command down to the leaves, with their arguments', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: samsa \[options\] \[command\]/);
    for (const leaf of leafCommands(program))
      expect(res.stdout, commandPath(leaf)).toMatch(new RegExp(`\\n  ${commandPath(leaf)}( [<[]|\\s{2})`));
    for (const path of ['topics alter <name>', 'topics add-partitions <name>', 'groups describe <group>', 'completion <shell>'])
      expect(res.stdout).toContain(`  ${path}`);
    for (const args of [['help'], ['-h']]) {
      const same = await parse(args);
      expect(helpShown(same.error), args.join(' ')).toBe(true);
      expect(same.stdout, args.join(' ')).toBe(res.stdout);
    }
  });

  it(`each of the ${commands.length} commands has its own help: usage, every option, the same via \`samsa help\` and from the built CLI`, async () => {
    const built = await helpsOfBuiltCli(commands.map((c) => commandPath(c)));
    for (const cmd of commands) {
      const path = commandPath(cmd).split(' ');
      const res = await parse([...path, '--help']);
      expect(helpShown(res.error), path.join(' ')).toBe(true);
      expect(res.stderr).toBe('');
      expect(res.stdout, path.join(' ')).toMatch(new RegExp(`^Usage: samsa ${path.join(' ')} \\[options\\]`));
      // Commander wraps a long description at the help width: compare with the line breaks folded.
      expect(res.stdout.replace(/\s+/g, ' '), path.join(' ')).toContain(cmd.description().replace(/\s+/g, ' '));
      for (const option of cmd.options) expect(res.stdout, `${path.join(' ')} ${option.flags}`).toContain(option.flags);
      for (const sub of cmd.commands) expect(res.stdout).toContain(`  ${sub.name()}`);
      // Global options are listed in every command's help.
      expect(res.stdout).toContain('--bootstrap <host:port>');
      const viaHelp = await parse(['help', ...path]);
      expect(helpShown(viaHelp.error)).toBe(true);
      expect(viaHelp.stdout).toBe(res.stdout);
      expect(built.get(path.join(' ')), path.join(' ')).toBe(res.stdout);
    }
    // And one through cli/main.ts itself: exit code 0, nothing on stderr.
    const res = await runCli(['help', 'topics', 'alter']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(built.get('topics alter'));
  });

  it('--version prints the package version; a bad command line exits 2 with a `samsa:` line and the usage', async () => {
    for (const flag of ['--version', '-V']) {
      const res = await runCli([flag]);
      expect(res.code).toBe(0);
      expect(res.stdout.trim()).toBe(VERSION);
    }
    const res = await runCli(['groups', 'describe', '--bogus']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("samsa: unknown option '--bogus'\nUsage: samsa groups describe [options] <group>\n(add --help for details)\n");
  });
});

/** True when commander stopped after printing a help (cli/main.ts exits 0 on it). */
function helpShown(error: unknown): boolean {
  return error instanceof CommanderError && error.code === 'commander.helpDisplayed';
}

/**
 * Every command's help as the built CLI prints it: one node process loads dist/cli/program.js and
 * builds the tree as cli/main.ts does, parses `PATH --help` for each path, and prints the helps as JSON.
 */
async function helpsOfBuiltCli(paths: string[]): Promise<Map<string, string>> {
  const program = join(ROOT, 'dist', 'cli', 'program.js');
  const script = `
const { buildProgram, rewriteHelp } = await import(${JSON.stringify(program)});
const out = {};
for (const path of ${JSON.stringify(paths)}) {
  let text = '';
  const io = { writeOut: (t) => void (text += t), writeErr: (t) => void (text += t) };
  const ctx = { client: () => { throw new Error('no cluster'); }, output: () => 'text' };
  try {
    await buildProgram(ctx, io).parseAsync(rewriteHelp([...path.split(' '), '--help']), { from: 'user' });
  } catch (err) {
    if (err.code !== 'commander.helpDisplayed') throw err;
  }
  out[path] = text;
}
process.stdout.write(JSON.stringify(out));`;
  const res = await runCli(['--input-type=module', '-e', script], { command: process.execPath });
  expect(res.code, res.stderr).toBe(0);
  return new Map(Object.entries(JSON.parse(res.stdout) as Record<string, string>));
}

describe('samsa completion', () => {
  const scripts = tempDir('cli-completion');
  afterAll(() => rmSync(scripts, { recursive: true, force: true }));
  const env = { ...process.env, SAMSA_INSECURE: '1', SAMSA_BOOTSTRAP: '127.0.0.1:1' };
  /** The script `samsa completion SHELL` prints, saved once. */
  const script = async (shell: 'bash' | 'zsh'): Promise<string> => {
    const res = await runCli(['completion', shell]);
    expect(res.code, res.stderr).toBe(0);
    const file = join(scripts, `samsa.${shell}`);
    writeFileSync(file, res.stdout);
    return file;
  };
  /** Runs each command line's completion (the cursor at its end) in one real shell; the candidates of each, in order given. */
  const run = (shell: 'bash' | 'zsh', body: string, lines: readonly string[]): string[][] => {
    const out = execFileSync(shell, ['-c', body], { encoding: 'utf8', env: { ...env, LINES_TO_COMPLETE: lines.join('\n') } });
    const groups = out.split('--end--\n');
    expect(groups.pop()).toBe('');
    expect(groups).toHaveLength(lines.length);
    return groups.map((g) => g.split('\n').filter(Boolean));
  };
  /** A command line, and its candidates: exactly these (in any order), or at least these. */
  const cases: readonly [string, 'exactly' | 'at least', string[]][] = [
    ['samsa top', 'exactly', ['topics']],
    ['samsa to', 'exactly', ['tokens', 'topics']],
    ['samsa topics ', 'at least', ['add-partitions', 'alter', 'create', 'delete', 'describe', 'list']],
    ['samsa topics add-partitions x --p', 'exactly', ['--partitions']],
    ['samsa consume t --value-format ', 'exactly', ['base64', 'hex', 'raw', 'utf8']],
    ['samsa consume t -o y', 'exactly', ['yaml']],
    ['samsa --output j', 'exactly', ['json']],
    ['samsa produce t --acks ', 'exactly', ['-1', '0', '1', 'all']],
    ['samsa groups describe g --', 'at least', ['--help', '--bootstrap', '--output', '--insecure']],
    ['samsa completion ', 'at least', ['bash', 'zsh']],
    ['samsa completion z', 'exactly', ['zsh']],
  ];
  const check = (shell: string, got: string[][]): void => {
    cases.forEach(([line, how, want], i) => {
      const candidates = got[i] ?? [];
      if (how === 'exactly') expect([...candidates].sort(), `${shell}: ${line}`).toEqual([...want].sort());
      else expect(candidates, `${shell}: ${line}`).toEqual(expect.arrayContaining(want));
    });
  };

  it('bash completes commands, subcommands, options and option choices from the tree', async () => {
    const file = await script('bash');
    const body = `source ${file}
samsa() { node ${CLI} "$@"; }
while IFS= read -r line; do
  read -ra COMP_WORDS <<< "$line"
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _samsa
  printf '%s\\n' "\${COMPREPLY[@]}" --end--
done <<< "$LINES_TO_COMPLETE"`;
    check(
      'bash',
      run(
        'bash',
        body,
        cases.map(([line]) => line),
      ),
    );
  });

  it('zsh (real zsh, compinit) loads the script, registers _samsa for samsa, and completes as bash does', async () => {
    const file = await script('zsh');
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    // The completion system's output builtins are replaced by functions that print what they are
    // given, filtered by the prefix typed as compadd filters; everything else is zsh running _samsa
    // with the words, CURRENT and PREFIX a completion widget sets.
    const body = `autoload -U compinit && compinit -u
source ${file}
[[ $_comps[samsa] == _samsa ]] || { print -u2 "samsa's completion not registered: $_comps[samsa]"; exit 1 }
samsa() { node ${CLI} "$@" }
compadd() { local w; for w in "$@"; do [[ $w != -- && $w == "$PREFIX"* ]] && print -r -- "$w"; done; return 0 }
_describe() {
  local name=\${@[-1]} c e w
  for c in "\${(@P)name}"; do
    e=\${c//\\\\:/$'\\0'}; w=\${e%%:*}; w=\${w//$'\\0'/:}
    [[ $w == "$PREFIX"* ]] && print -r -- "$w"
  done
  return 0
}
_files() { print -r -- '<files>' }
for line in "\${(@f)LINES_TO_COMPLETE}"; do
  words=(\${=line})
  [[ $line == *" " ]] && words+=("")
  CURRENT=\${#words}
  PREFIX=\${words[CURRENT]}
  _samsa
  print -r -- --end--
done`;
    check(
      'zsh',
      run(
        'zsh',
        body,
        cases.map(([line]) => line),
      ),
    );
  });

  it('zsh script: every command path and choice is in it; a shell other than bash or zsh is a usage error', async () => {
    const res = await runCli(['completion', 'zsh']);
    expect(res.code).toBe(0);
    for (const cmd of commands) expect(res.stdout).toContain(`'${commandPath(cmd)}'`);
    expect(res.stdout).toContain("compadd -- 'raw' 'utf8' 'base64' 'hex'");
    const bad = await runCli(['completion', 'fish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^samsa: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh./);
  });
});

describe('samsa as installed', () => {
  const prefix = tempDir('cli-global');
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  it('`npm install -g` of this checkout works offline and gives an executable `samsa` that behaves as node dist/cli/main.js', async () => {
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', ROOT], {
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'samsa');
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env -S node --max-semi-space-size=32\n')).toBe(true);
    const version = await runCli(['--version'], { command: bin });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);

    // Ctrl-C on a terminal (a pty made by script(1); ^C typed into it): produce said what it waits
    // for, and the exit code is 130 either way.
    for (const command of [bin, `${process.execPath} ${CLI}`]) {
      let typed = false;
      const res = await runCli(['-qec', `${command} produce demo --insecure --bootstrap 127.0.0.1:${await freePort()}`, '/dev/null'], {
        command: 'script',
        openStdin: true,
        onSpawn: (child, output) => {
          const timer = setInterval(() => {
            if (
              typed ||
              !output.stdout().includes('reading records for demo from the terminal, one a line; Ctrl-D sends them and ends, Ctrl-C aborts')
            )
              return;
            typed = true;
            clearInterval(timer);
            child.stdin?.write('\x03');
          }, 50);
          child.once('exit', () => clearInterval(timer));
        },
      });
      expect(typed, res.stdout).toBe(true);
      expect(res.code, `${command}: ${res.stdout}`).toBe(130);
    }
  });
});

describe('what a client loads', () => {
  // Each of these costs start-up (together about half a second of every CLI command, measured
  // 1.46 -> 1.0 s for `samsa --help`) and belongs to the services: etcd, the OpenTelemetry SDK and
  // its exporters, health and reflection. A client loads them only when it uses them (tracing on,
  // -o yaml), through libs/runtime's lazyPackage.
  const SERVER_ONLY = [
    'etcd3',
    '@opentelemetry/sdk-node',
    '@opentelemetry/sdk-trace-base',
    '@opentelemetry/exporter-prometheus',
    'grpc-health-check',
    '@grpc/reflection',
    'yaml',
  ];

  it('importing the SDK or the CLI program loads none of the services-only packages', () => {
    for (const entry of ['dist/libs/client/index.js', 'dist/cli/program.js']) {
      const script =
        "import { createRequire } from 'node:module'; import { pathToFileURL } from 'node:url';" +
        'await import(pathToFileURL(process.argv[1]).href);' +
        'const loaded = Object.keys(createRequire(import.meta.url).cache);' +
        'const packages = new Set(loaded.map((f) => (/node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(f) ?? [])[1]).filter(Boolean));' +
        'process.stdout.write(JSON.stringify([...packages]));';
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, join(ROOT, entry)], { encoding: 'utf8' });
      const packages = JSON.parse(out) as string[];
      expect(packages, entry).toContain('@grpc/grpc-js');
      expect(
        packages.filter((p) => SERVER_ONLY.includes(p)),
        entry,
      ).toEqual([]);
    }
  });
});

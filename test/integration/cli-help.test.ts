/**
 * The built `samsa` CLI without a cluster: every command's help (walked from the command tree),
 * --version, the bash and zsh completion scripts run by the real shells, the exit code on Ctrl-C,
 * and `samsa` installed with `npm install -g` from this checkout, offline (no registry).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

const hasShell = (shell: string): boolean => spawnSync(shell, ['-c', 'true']).status === 0;

describe('samsa help', () => {
  it('the top-level help lists every command down to the leaves, with their arguments', async () => {
    for (const args of [['--help'], ['help'], ['-h']]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/^Usage: samsa \[options\] \[command\]/);
      for (const leaf of leafCommands(program))
        expect(res.stdout, commandPath(leaf)).toMatch(new RegExp(`\\n  ${commandPath(leaf)}( [<[]|\\s{2})`));
      for (const path of ['topics alter <name>', 'topics add-partitions <name>', 'groups describe <group>', 'completion <shell>'])
        expect(res.stdout).toContain(`  ${path}`);
    }
  });

  it(`each of the ${commands.length} commands has its own help: usage, every option, the same via \`samsa help\``, async () => {
    for (const cmd of commands) {
      const path = commandPath(cmd).split(' ');
      const res = await runCli([...path, '--help']);
      expect(res.code, path.join(' ')).toBe(0);
      expect(res.stderr).toBe('');
      expect(res.stdout, path.join(' ')).toMatch(new RegExp(`^Usage: samsa ${path.join(' ')} \\[options\\]`));
      expect(res.stdout).toContain(cmd.description());
      for (const option of cmd.options) expect(res.stdout, `${path.join(' ')} ${option.flags}`).toContain(option.flags);
      for (const sub of cmd.commands) expect(res.stdout).toContain(`  ${sub.name()}`);
      // Global options are listed in every command's help.
      expect(res.stdout).toContain('--bootstrap <host:port>');
      const viaHelp = await runCli(['help', ...path]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(res.stdout);
    }
  }, 300_000);

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

describe('samsa completion', () => {
  /** Runs the generated script in `shell` and completes `line` (the cursor at its end). */
  function complete(shell: 'bash', line: string): string[] {
    const script = `source <(node ${CLI} completion bash)
samsa() { node ${CLI} "$@"; }
read -ra COMP_WORDS <<< ${JSON.stringify(line)}
[[ ${JSON.stringify(line)} == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
_samsa
printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync(shell, ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, SAMSA_INSECURE: '1', SAMSA_BOOTSTRAP: '127.0.0.1:1' },
    })
      .split('\n')
      .filter(Boolean);
  }

  it('bash completes commands, subcommands, options and option choices from the tree', () => {
    expect(complete('bash', 'samsa top')).toEqual(['topics']);
    expect(complete('bash', 'samsa topics ').sort()).toEqual(
      expect.arrayContaining(['add-partitions', 'alter', 'create', 'delete', 'describe', 'list']),
    );
    expect(complete('bash', 'samsa topics add-partitions x --p')).toEqual(['--partitions']);
    expect(complete('bash', 'samsa consume t --value-format ').sort()).toEqual(['base64', 'hex', 'raw', 'utf8']);
    expect(complete('bash', 'samsa consume t -o y')).toEqual(['yaml']);
    expect(complete('bash', 'samsa --output j')).toEqual(['json']);
    expect(complete('bash', 'samsa produce t --acks ').sort()).toEqual(['-1', '0', '1', 'all']);
    expect(complete('bash', 'samsa groups describe g --')).toEqual(
      expect.arrayContaining(['--help', '--bootstrap', '--output', '--insecure']),
    );
    expect(complete('bash', 'samsa completion ')).toEqual(expect.arrayContaining(['bash', 'zsh']));
    expect(complete('bash', 'samsa completion z')).toEqual(['zsh']);
  });

  it.runIf(hasShell('zsh'))('zsh loads the script and defines the completion function', () => {
    const out = execFileSync(
      'zsh',
      ['-c', `autoload -U compinit && compinit -u && source <(node ${CLI} completion zsh) && print -r -- $_comps[samsa]`],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('_samsa');
  });

  it('zsh script: every command path and choice is in it (parsed by zsh -n when zsh is installed)', async () => {
    const res = await runCli(['completion', 'zsh']);
    expect(res.code).toBe(0);
    for (const cmd of commands) expect(res.stdout).toContain(`'${commandPath(cmd)}'`);
    expect(res.stdout).toContain("compadd -- 'raw' 'utf8' 'base64' 'hex'");
    if (hasShell('zsh')) expect(spawnSync('zsh', ['-n'], { input: res.stdout }).status).toBe(0);
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
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
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

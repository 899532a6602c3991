/**
 * `samsa completion bash|zsh`: a shell completion script generated from the command tree, so it
 * knows every command, option and option choice there is. Topic names are completed by running
 * `samsa topics list` (quietly nothing when no cluster answers).
 */
import { Argument, Command, type Option } from 'commander';
import type { CommandModule } from '../context.js';
import { commandPath } from '../usage.js';

interface Node {
  path: string;
  /** Subcommands (name, description) then options (flag, description). */
  words: { word: string; description: string }[];
  /** Options that take a value: their flags, with the choices or the kind of value. */
  values: { flags: string[]; choices: readonly string[] | undefined; file: boolean }[];
  /** The first argument names a topic. */
  topicArgument: boolean;
}

/** The root's options that take a value: accepted after any command words, so matched on any path. */
function globalValues(root: Command): Node['values'] {
  return root.options
    .filter((o) => o.required || o.optional)
    .map((o) => ({
      flags: [o.long, o.short].filter((f): f is string => f !== undefined),
      choices: o.argChoices,
      file: /<file>/.test(o.flags),
    }));
}

function nodes(root: Command): Node[] {
  const out: Node[] = [];
  const walk = (cmd: Command, inherited: readonly Option[]): void => {
    const options = [...cmd.options, ...inherited];
    const own = cmd.parent ? cmd.options : [];
    const subcommands = cmd.commands.map((c) => ({ word: c.name(), description: c.description() }));
    const argumentChoices = (cmd.registeredArguments[0]?.argChoices ?? []).map((word) => ({
      word,
      description: cmd.registeredArguments[0]?.description ?? '',
    }));
    const flags = options.flatMap((o) =>
      [o.long, o.short].filter((f): f is string => f !== undefined).map((word) => ({ word, description: o.description })),
    );
    const first = cmd.registeredArguments[0]?.name();
    out.push({
      path: commandPath(cmd),
      words: [...subcommands, ...argumentChoices, ...flags, { word: '--help', description: 'print the help and exit' }],
      values: own
        .filter((o) => o.required || o.optional)
        .map((o) => ({
          flags: [o.long, o.short].filter((f): f is string => f !== undefined),
          choices: o.argChoices,
          file: /<file>/.test(o.flags),
        })),
      topicArgument: first === 'topic' || (first === 'name' && commandPath(cmd).startsWith('topics ') && cmd.name() !== 'create'),
    });
    for (const c of cmd.commands) walk(c, inherited.length > 0 ? inherited : cmd.options);
  };
  walk(root, []);
  return out;
}

const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function bashCompletion(root: Command): string {
  const all = nodes(root);
  const paths = all.filter((n) => n.path !== '').map((n) => q(n.path));
  const action = (v: Node['values'][number]): string =>
    v.choices
      ? `COMPREPLY=($(compgen -W ${q(v.choices.join(' '))} -- "$cur"))`
      : v.file
        ? 'COMPREPLY=($(compgen -f -- "$cur"))'
        : 'COMPREPLY=()';
  const valueCases = [
    ...all.flatMap((n) => n.values.map((v) => `    ${v.flags.map((f) => q(`${n.path}|${f}`)).join('|')}) ${action(v)}; return ;;`)),
    ...globalValues(root).map((v) => `    ${v.flags.map((f) => `*${q(`|${f}`)}`).join('|')}) ${action(v)}; return ;;`),
  ];
  const wordCases = all.map(
    (n) => `    ${q(n.path)}) words=${q(n.words.map((w) => w.word).join(' '))}${n.topicArgument ? '; topics=1' : ''} ;;`,
  );
  return `# samsa completion for bash. Load it with:  source <(samsa completion bash)
# or keep it:  samsa completion bash > ~/.local/share/bash-completion/completions/samsa
_samsa() {
  local cur prev path="" candidate words="" topics=0 i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    candidate="\${path:+$path }\${COMP_WORDS[i]}"
    case "$candidate" in
      ${paths.join('|')}) path="$candidate" ;;
    esac
  done
  case "$path|$prev" in
${valueCases.join('\n')}
  esac
  case "$path" in
${wordCases.join('\n')}
  esac
  if [[ $topics == 1 && $cur != -* ]]; then
    words="$words $("\${COMP_WORDS[0]}" topics list 2>/dev/null)"
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _samsa samsa
`;
}

export function zshCompletion(root: Command): string {
  const all = nodes(root);
  const paths = all.filter((n) => n.path !== '').map((n) => q(n.path));
  const action = (v: Node['values'][number]): string =>
    v.choices ? `compadd -- ${v.choices.map(q).join(' ')}` : v.file ? '_files' : 'return 0';
  const valueCases = [
    ...all.flatMap((n) => n.values.map((v) => `    (${v.flags.map((f) => q(`${n.path}|${f}`)).join('|')}) ${action(v)}; return ;;`)),
    ...globalValues(root).map((v) => `    (${v.flags.map((f) => `*${q(`|${f}`)}`).join('|')}) ${action(v)}; return ;;`),
  ];
  const wordCases = all.map(
    (n) =>
      `    (${q(n.path)}) candidates=(${n.words.map((w) => q(`${w.word.replace(/:/g, '\\:')}:${w.description}`)).join(' ')})${n.topicArgument ? '; topics=1' : ''} ;;`,
  );
  return `#compdef samsa
# samsa completion for zsh. Load it with:  source <(samsa completion zsh)
# or keep it as _samsa in a directory of $fpath:  samsa completion zsh > ~/.zfunc/_samsa
_samsa() {
  local path_words="" candidate prev topics=0 i
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    candidate="\${path_words:+$path_words }\${words[i]}"
    case "$candidate" in
      (${paths.join('|')}) path_words="$candidate" ;;
    esac
  done
  prev="\${words[CURRENT-1]}"
  case "$path_words|$prev" in
${valueCases.join('\n')}
  esac
  case "$path_words" in
${wordCases.join('\n')}
  esac
  _describe -t samsa 'samsa' candidates
  if [[ $topics == 1 && $PREFIX != -* ]]; then
    local -a topic_names
    topic_names=(\${(f)"$(\${words[1]} topics list 2>/dev/null)"})
    compadd -- $topic_names
  fi
}
if [[ $funcstack[1] == _samsa ]]; then
  _samsa "$@"
else
  compdef _samsa samsa
fi
`;
}

export const completionCommand: CommandModule = (ctx) => {
  const cmd = new Command('completion')
    .description('print a shell completion script: bash or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      `
bash:  source <(samsa completion bash)     (add it to ~/.bashrc to keep it)
zsh:   source <(samsa completion zsh)      (or save it as _samsa in a directory of $fpath)`,
    )
    .action((shell: string, _o: unknown, self: Command) => {
      const root = self.parent ?? self;
      if (shell === 'bash') ctx.stdout(bashCompletion(root).trimEnd());
      else ctx.stdout(zshCompletion(root).trimEnd());
    });
  return cmd;
};

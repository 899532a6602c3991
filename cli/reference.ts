/**
 * The command reference of docs/cli.md, rendered from the command tree: every command with its
 * usage, description, arguments, options (defaults and choices as declared), the prose of its help,
 * and its -o json shape. scripts/gen-cli-docs.mjs writes it into docs/cli.md between markers;
 * test/unit/docs/cli-docs.test.ts fails when the page is stale.
 */
import { Help, type Command } from 'commander';
import type { EventEmitter } from 'node:events';
import { outputSchemaOf, type JsonSchema } from './schema.js';
import { commandPath } from './usage.js';
import { allCommands, usageLine } from './program.js';

export const REFERENCE_BEGIN = '<!-- BEGIN GENERATED: command reference (node scripts/gen-cli-docs.mjs) -->';
export const REFERENCE_END = '<!-- END GENERATED: command reference -->';

/** A JSON shape as a reader wants it: the fields, their types, and what they mean. */
export function describeShape(schema: JsonSchema, indent = ''): string {
  if ('anyOf' in schema) return schema.anyOf.map((alt) => describeShape(alt, indent)).join(' | ');
  switch (schema.type) {
    case 'string':
      return schema.enum ? schema.enum.map((v) => JSON.stringify(v)).join(' | ') : 'string';
    case 'integer':
    case 'number':
    case 'boolean':
    case 'null':
      return schema.type;
    case 'array':
      return `[${describeShape(schema.items, indent)}, ...]`;
    case 'object': {
      const inner = `${indent}  `;
      const fields = Object.entries(schema.properties).map(([name, field]) => {
        const optional = schema.required.includes(name) ? '' : '?';
        const note = field.description ?? ('anyOf' in field ? field.anyOf.find((a) => a.description)?.description : undefined);
        return `${inner}"${name}"${optional}: ${describeShape(field, inner)}${note ? `  // ${note}` : ''}`;
      });
      if (schema.additionalProperties !== false) fields.push(`${inner}"<name>": ${describeShape(schema.additionalProperties, inner)}`);
      return fields.length === 0 ? '{}' : `{\n${fields.join('\n')}\n${indent}}`;
    }
  }
}

function optionRows(cmd: Command, help: Help): string[] {
  return help.visibleOptions(cmd).map((o) => {
    const extra: string[] = [];
    if (o.argChoices) extra.push(`one of: ${o.argChoices.join(', ')}`);
    if (o.defaultValue !== undefined && o.defaultValue !== false) extra.push(`default: ${JSON.stringify(o.defaultValue)}`);
    const text = `${o.description}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
    return `| \`${o.flags}\` | ${text.replace(/\|/g, '\\|')} |`;
  });
}

/** The help text a command adds after the generated part (commander keeps it as an 'afterHelp' listener). */
function afterText(cmd: Command): string {
  let text = '';
  const context = { error: false, command: cmd, write: (s: string) => void (text += s) };
  for (const listener of (cmd as unknown as EventEmitter).listeners('afterHelp')) (listener as (c: typeof context) => void)(context);
  return text.trim();
}

export function renderReference(root: Command): string {
  const help = new Help();
  const sections: string[] = [];
  for (const cmd of allCommands(root).filter((c) => c !== root)) {
    const path = commandPath(cmd);
    const lines = [`### samsa ${path}`, '', cmd.description(), '', '```', usageLine(cmd), '```'];
    const args = help.visibleArguments(cmd);
    if (args.length > 0)
      lines.push(
        '',
        '| argument | |',
        '|---|---|',
        ...args.map((a) => `| \`${a.name()}\`${a.required ? '' : ' (optional)'} | ${a.description || ' '} |`),
      );
    const options = optionRows(cmd, help).filter((row) => !row.startsWith('| `-h, --help`'));
    if (options.length > 0) lines.push('', '| option | |', '|---|---|', ...options);
    if (cmd.commands.length > 0)
      lines.push(
        '',
        `Subcommands: ${cmd.commands.map((c) => `[\`${c.name()}\`](#samsa-${commandPath(c).replace(/ /g, '-')})`).join(', ')}.`,
      );
    const after = afterText(cmd);
    if (after) lines.push('', '```text', after, '```');
    const schema = outputSchemaOf(cmd);
    if (schema) {
      lines.push(
        '',
        schema.kind === 'lines'
          ? 'With `-o json`, one JSON object per line (per record), each:'
          : 'With `-o json` (`-o yaml` prints the same data as YAML):',
        '',
        '```',
        describeShape(schema.schema),
        '```',
      );
    }
    sections.push(lines.join('\n'));
  }
  return [REFERENCE_BEGIN, '', ...sections.flatMap((s) => [s, '']), REFERENCE_END].join('\n');
}

/** `page` with its generated section replaced by `reference`; throws when the markers are missing. */
export function spliceReference(page: string, reference: string): string {
  const begin = page.indexOf(REFERENCE_BEGIN);
  const end = page.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) throw new Error('docs/cli.md has no generated-section markers');
  return page.slice(0, begin) + reference + page.slice(end + REFERENCE_END.length);
}

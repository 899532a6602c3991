/**
 * The JSON shapes the CLI prints with -o json (and -o yaml: the same data), as JSON Schema
 * (draft 2020-12, the subset below). Each command declares its shape next to its code with
 * `outputSchema(cmd, schema)`; docs/cli.md prints them (scripts/gen-cli-docs.mjs) and the
 * integration tests validate real output against them, so a field cannot change unnoticed.
 *
 * Stability: a field in a schema keeps its name, type and meaning; new fields may be added (scripts
 * should ignore fields they do not know). Objects list every field as required unless said.
 */
import type { Command } from 'commander';

export type JsonSchema =
  | { type: 'string'; enum?: readonly string[]; description?: string }
  | { type: 'integer' | 'number' | 'boolean' | 'null'; description?: string }
  | { type: 'array'; items: JsonSchema; description?: string }
  | {
      type: 'object';
      properties: Readonly<Record<string, JsonSchema>>;
      required: readonly string[];
      additionalProperties: JsonSchema | false;
      description?: string;
    }
  | { anyOf: readonly JsonSchema[]; description?: string };

export const s = {
  string: (description?: string, values?: readonly string[]): JsonSchema => ({
    type: 'string',
    ...(values ? { enum: values } : {}),
    ...(description ? { description } : {}),
  }),
  integer: (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) }),
  number: (description?: string): JsonSchema => ({ type: 'number', ...(description ? { description } : {}) }),
  boolean: (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) }),
  nullable: (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] }),
  array: (items: JsonSchema, description?: string): JsonSchema => ({ type: 'array', items, ...(description ? { description } : {}) }),
  /** An object with exactly these fields, all required except those named in `optional`. */
  object: (properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema => ({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  }),
  /** An object used as a map: any keys, values of one shape. */
  map: (values: JsonSchema, description?: string): JsonSchema => ({
    type: 'object',
    properties: {},
    required: [],
    additionalProperties: values,
    ...(description ? { description } : {}),
  }),
};

/** How a command prints with -o json: one document for the whole result, or one JSON object per line. */
export interface OutputSchema {
  kind: 'document' | 'lines';
  schema: JsonSchema;
}

const schemas = new WeakMap<Command, OutputSchema>();

/** Declares what `cmd` prints with -o json (a whole document, or JSON lines for a stream of records). */
export function outputSchema(cmd: Command, schema: JsonSchema, kind: OutputSchema['kind'] = 'document'): Command {
  schemas.set(cmd, { kind, schema });
  return cmd;
}

export function outputSchemaOf(cmd: Command): OutputSchema | undefined {
  return schemas.get(cmd);
}

/** Where `value` breaks `schema`: a list of "path: problem", empty when it fits. */
export function validate(schema: JsonSchema, value: unknown, path = '$'): string[] {
  if ('anyOf' in schema) {
    const all = schema.anyOf.map((alt) => validate(alt, value, path));
    return all.some((errors) => errors.length === 0)
      ? []
      : [`${path}: matches none of ${schema.anyOf.length} alternatives (${all.map((e) => e[0]).join('; ')})`];
  }
  switch (schema.type) {
    case 'null':
      return value === null ? [] : [`${path}: expected null`];
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string`];
      return schema.enum && !schema.enum.includes(value) ? [`${path}: "${value}" is not one of ${schema.enum.join(', ')}`] : [];
    case 'integer':
      return Number.isSafeInteger(value) ? [] : [`${path}: expected an integer`];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${path}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => validate(schema.items, item, `${path}[${i}]`))
        : [`${path}: expected an array`];
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
      const o = value as Record<string, unknown>;
      const errors = schema.required.filter((k) => !(k in o)).map((k) => `${path}: missing "${k}"`);
      for (const [k, v] of Object.entries(o)) {
        const field = schema.properties[k] ?? schema.additionalProperties;
        if (field === false) errors.push(`${path}: unexpected field "${k}"`);
        else errors.push(...validate(field, v, `${path}.${k}`));
      }
      return errors;
    }
  }
}

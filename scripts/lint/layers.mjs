/**
 * The layer graph of Samsa's source and the ESLint rule that enforces it (`samsa/layers`, run by
 * `npm run lint`). This file is the source of truth for which part may import which;
 * docs/architecture.md draws it (test/unit/docs/architecture.test.ts keeps the drawing in step).
 * Two checks on every relative import, export-from and import():
 *
 * 1. Layers. A lib imports only the libs listed for it in LIB_DEPS (the table must stay acyclic:
 *    it is checked when this file loads). A service imports libs, never another service or a tool.
 *    A tool imports libs and other tools. cli/ and bench/ sit on top; test/ may import anything.
 *    Nothing imports test/, and nothing but libs/rpc imports the generated proto types.
 * 2. Public faces. A lib (libs/<name>) or a tool with an index.ts (tools/<name>) is imported from
 *    outside only through its index.ts. The one exception: a unit test in test/unit/<name>/ tests
 *    the modules of libs/<name> (or tools/<name>) from the inside, so it may import them directly;
 *    every other lib it uses, it uses through the index.
 *
 * Packages (bare specifiers) are not checked here.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Which libs each lib may import (besides itself). Adding an edge is a design decision: say why in
 * the commit. The base (errors, config, runtime, telemetry, rpc) imports almost nothing; the domain
 * libs build on it; of those only client, replica-sync, security and service know gRPC.
 */
export const LIB_DEPS = {
  errors: [],
  config: ['errors'],
  runtime: ['errors'],
  telemetry: ['config', 'errors', 'runtime'],
  rpc: ['errors', 'runtime', 'telemetry'],
  // ACLs and quotas live in etcd, written by the active controller with fenced transactions.
  security: ['cluster', 'config', 'errors', 'rpc', 'runtime', 'telemetry'],
  service: ['cluster', 'config', 'errors', 'rpc', 'runtime', 'security', 'telemetry'],
  partitioner: ['errors'],
  record: ['errors', 'runtime'],
  log: ['errors', 'record', 'runtime', 'telemetry'],
  // No rpc: proto conversions live in the services' handlers (libs/service/metadata-proto.ts).
  cluster: ['config', 'errors', 'runtime', 'telemetry'],
  replica: ['cluster', 'errors', 'log', 'partitioner', 'record', 'runtime', 'telemetry'],
  // Keeping a partition's replicas in sync: the Replicate protocol's steps, the followers' fetchers, the ISR.
  'replica-sync': ['cluster', 'errors', 'log', 'record', 'replica', 'rpc', 'runtime', 'telemetry'],
  group: ['cluster', 'errors', 'partitioner', 'record', 'runtime', 'telemetry'],
  controller: ['cluster', 'errors', 'group', 'runtime', 'telemetry'],
  client: ['errors', 'partitioner', 'record', 'rpc', 'runtime', 'security', 'telemetry'],
  // Kafka's wire codec: pure bytes, no gRPC, no Samsa domain.
  'kafka-protocol': ['errors'],
  // Kafka's classic group protocol as the gateway runs it: Kafka's error codes, no wire format, no gRPC.
  'kafka-group': ['kafka-protocol', 'runtime', 'telemetry'],
};

/** Where a file sits: its unit (the thing with a boundary) and whether it is that unit's face. */
export function locate(absPath) {
  const rel = relative(ROOT, absPath).split(sep).join('/');
  const parts = rel.split('/');
  const [top, name] = parts;
  if (top === 'libs' && parts.length > 2) {
    const generated = name === 'rpc' && parts[2] === 'generated';
    return { kind: 'lib', unit: `libs/${name}`, name, rel, isFace: parts.length === 3 && /^index\.[mc]?[jt]s$/.test(parts[2]), generated };
  }
  if (top === 'services' && parts.length > 2) return { kind: 'service', unit: `services/${name}`, name, rel, isFace: true };
  if (top === 'tools' && parts.length > 2) {
    const hasFace = existsSync(resolve(ROOT, 'tools', name, 'index.ts'));
    return {
      kind: 'tool',
      unit: `tools/${name}`,
      name,
      rel,
      isFace: !hasFace || (parts.length === 3 && /^index\.[mc]?[jt]s$/.test(parts[2])),
    };
  }
  if (top === 'tools') return { kind: 'tool', unit: rel, name: rel, rel, isFace: true };
  if (top === 'test')
    return {
      kind: 'test',
      unit: 'test',
      name: 'test',
      rel,
      isFace: true,
      unitTestOf: parts[1] === 'unit' && parts.length > 3 ? parts[2] : undefined,
    };
  return { kind: top ?? 'root', unit: top ?? rel, name: top, rel, isFace: true };
}

/** Why `from` may not import `to`, or undefined when it may. */
export function violation(from, to) {
  if (from.unit === to.unit) return undefined;
  if (to.kind === 'test') return `${to.rel} is test code: nothing outside test/ imports it`;
  if (to.generated && from.unit !== 'libs/rpc') {
    return `${to.rel} is generated: import the proto types as \`v1\` from libs/rpc/index.js`;
  }
  const layer = layerViolation(from, to);
  if (layer) return layer;
  if ((to.kind === 'lib' || to.kind === 'tool') && !to.isFace && from.unitTestOf !== to.name) {
    return `import ${to.unit} only through ${to.unit}/index.ts, not ${to.rel} (export what you need from the index)`;
  }
  return undefined;
}

function layerViolation(from, to) {
  switch (from.kind) {
    case 'lib': {
      const allowed = LIB_DEPS[from.name];
      if (!allowed) return `${from.unit} is not in the layer table: add it to LIB_DEPS in scripts/lint/layers.mjs`;
      if (to.kind !== 'lib') return `a lib imports only libs: ${from.unit} may not import ${to.rel}`;
      if (!allowed.includes(to.name)) {
        return `${from.unit} may not import ${to.unit} (allowed: ${allowed.join(', ') || 'none'}; the layer graph is LIB_DEPS in scripts/lint/layers.mjs)`;
      }
      return undefined;
    }
    case 'service':
      return to.kind === 'lib' ? undefined : `a service imports only libs: ${from.unit} may not import ${to.rel}`;
    case 'tool':
      return to.kind === 'lib' || to.kind === 'tool'
        ? undefined
        : `a tool imports only libs and tools: ${from.unit} may not import ${to.rel}`;
    case 'cli':
    case 'bench':
      return to.kind === 'lib' || to.kind === 'tool' ? undefined : `${from.unit} imports only libs and tools, not ${to.rel}`;
    default:
      return undefined;
  }
}

function assertAcyclic(deps) {
  const state = new Map();
  const visit = (lib, path) => {
    if (state.get(lib) === 'done') return;
    if (state.get(lib) === 'open') throw new Error(`LIB_DEPS has a cycle: ${[...path, lib].join(' -> ')}`);
    state.set(lib, 'open');
    for (const dep of deps[lib] ?? []) {
      if (!(dep in deps)) throw new Error(`LIB_DEPS: ${lib} lists ${dep}, which is not in the table`);
      visit(dep, [...path, lib]);
    }
    state.set(lib, 'done');
  };
  for (const lib of Object.keys(deps)) visit(lib, []);
}
assertAcyclic(LIB_DEPS);

function resolveSpecifier(fromFile, specifier) {
  // Sources import `./x.js` for `./x.ts` (NodeNext); a folder path stands for nothing here.
  return resolve(dirname(fromFile), specifier).replace(/\.[mc]?js$/, (ext) => ext.replace('js', 'ts'));
}

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: "Imports follow the layer graph and go through each lib's index.ts (scripts/lint/layers.mjs)" },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = locate(file);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const why = violation(from, locate(resolveSpecifier(file, source.value)));
      if (why) context.report({ node: source, message: why });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : undefined),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.source),
    };
  },
};

export const samsaPlugin = { meta: { name: 'samsa' }, rules: { layers: layersRule } };

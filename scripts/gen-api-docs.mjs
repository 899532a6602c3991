// Generates docs/api.md, the API reference, from the comments in proto/samsa/v1/*.proto and the
// error mapping in libs/rpc/status.ts. Run `npm run docs:api` (it builds first: the mapping is read
// from dist/). `--check` compares instead of writing and exits 1 when docs/api.md is stale.
// test/unit/docs/api-docs.test.ts renders the same page in memory, so CI fails on a stale page.
//
// Comments are taken as protobufjs parses them in its alternate comment mode: the `//` block right
// above an element (or, failing that, a trailing `//` on the same line). A file's header comment is
// the `//` block at its top, before `syntax`.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// protobufjs comes with @grpc/proto-loader; resolve it from there rather than rely on hoisting.
const require = createRequire(import.meta.url);
const protobuf = require(require.resolve('protobufjs', { paths: [dirname(require.resolve('@grpc/proto-loader'))] }));

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PROTO_DIR = join(ROOT, 'proto');
export const API_DOC = join(ROOT, 'docs', 'api.md');
const PACKAGE_DIR = 'samsa/v1';

/**
 * The error model as the code defines it, from the modules of libs/errors and libs/rpc/status.ts
 * (sources in tests, dist/ in this script), so the page cannot drift from what servers send.
 */
export function errorModelFrom({ ERROR_REASONS, isRetriableReason, grpcCodeFor, grpcStatus, REASON_TRAILER, RETRIABLE_TRAILER }) {
  const known = new Set(ERROR_REASONS);
  return {
    reasons: [...ERROR_REASONS],
    statusOf: (reason) => (known.has(reason) ? grpcStatus[grpcCodeFor(reason)] : undefined),
    retriable: (reason) => known.has(reason) && isRetriableReason(reason),
    reasonTrailer: REASON_TRAILER,
    retriableTrailer: RETRIABLE_TRAILER,
  };
}

/** The proto files of the package, services first (alphabetically), common.proto last. */
function protoFiles(protoDir) {
  const names = readdirSync(join(protoDir, PACKAGE_DIR))
    .filter((f) => f.endsWith('.proto'))
    .sort();
  return [...names.filter((f) => f !== 'common.proto'), ...names.filter((f) => f === 'common.proto')].map((f) => `${PACKAGE_DIR}/${f}`);
}

function loadRoot(protoDir, files) {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoDir, target);
  root.loadSync(files, { keepCase: true, alternateCommentMode: true });
  root.resolveAll();
  return root;
}

/** The `//` block at the top of a proto file, before `syntax`. */
function fileHeader(protoDir, file) {
  const lines = [];
  for (const line of readFileSync(join(protoDir, file), 'utf8').split('\n')) {
    const m = /^\s*\/\/ ?(.*)$/.exec(line);
    if (!m) break;
    lines.push(m[1]);
  }
  return lines.join('\n').trim();
}

/** Every message, enum and service below `ns`, depth first, in declaration order. */
function walk(ns, out = []) {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service) out.push(obj);
    if (obj instanceof protobuf.Namespace) walk(obj, out);
  }
  return out;
}

const fullName = (obj) => obj.fullName.replace(/^\./, '');
const anchor = (name) => `<a name="${name}"></a>`;
const link = (obj) => `[\`${fullName(obj).replace(/^samsa\.v1\./, '')}\`](#${fullName(obj)})`;

/** A comment as markdown paragraphs: lines of one paragraph joined, blank lines kept. */
function prose(comment) {
  if (!comment) return '';
  return comment
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .join('\n\n');
}

/** A comment squeezed into one table cell. */
function cell(text) {
  return (text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function typeOf(field) {
  const type = (t, resolved) => (resolved ? link(resolved) : `\`${t}\``);
  if (field instanceof protobuf.MapField) return `map<\`${field.keyType}\`, ${type(field.type, field.resolvedType)}>`;
  return type(field.type, field.resolvedType);
}

function labelOf(field) {
  if (field instanceof protobuf.MapField) return 'map';
  if (field.repeated) return 'repeated';
  if (field.options?.proto3_optional) return 'optional';
  if (field.partOf) return `oneof \`${field.partOf.name}\``;
  return '';
}

function kindOf(method) {
  if (method.requestStream && method.responseStream) return 'bidirectional streaming';
  if (method.responseStream) return 'server streaming';
  if (method.requestStream) return 'client streaming';
  return 'unary';
}

function renderService(service, protoDir, file) {
  const name = fullName(service);
  const out = [
    `### ${anchor(name)}${service.name}`,
    '',
    `\`${name}\` in [${file}](../proto/${file})${service.comment ? ': ' + prose(service.comment) : ''}`,
    '',
  ];
  const header = fileHeader(protoDir, file);
  if (header) out.push(...header.split('\n').map((l) => `> ${l}`.trimEnd()), '');
  out.push('| RPC | request | response | kind |', '| --- | --- | --- | --- |');
  for (const m of service.methodsArray) {
    const req = (m.requestStream ? 'stream ' : '') + link(m.resolvedRequestType);
    const res = (m.responseStream ? 'stream ' : '') + link(m.resolvedResponseType);
    out.push(`| [${m.name}](#${name}.${m.name}) | ${req} | ${res} | ${kindOf(m)} |`);
  }
  out.push('');
  for (const m of service.methodsArray) {
    out.push(`#### ${anchor(`${name}.${m.name}`)}${service.name}.${m.name}`, '');
    out.push(
      `\`rpc ${m.name}(${m.requestStream ? 'stream ' : ''}${m.requestType}) returns (${m.responseStream ? 'stream ' : ''}${m.responseType})\` — ${kindOf(m)}`,
      '',
    );
    out.push(prose(m.comment) || '_No comment in the proto._', '');
  }
  return out;
}

function renderMessage(type) {
  const name = fullName(type);
  const out = [`### ${anchor(name)}${name.replace(/^samsa\.v1\./, '')}`, ''];
  if (type.comment) out.push(prose(type.comment), '');
  if (type.fieldsArray.length === 0) {
    out.push('No fields.', '');
    return out;
  }
  out.push('| field | number | type | label | description |', '| --- | --- | --- | --- | --- |');
  for (const f of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
    out.push(`| \`${f.name}\` | ${f.id} | ${typeOf(f)} | ${labelOf(f)} | ${cell(f.comment)} |`);
  }
  out.push('');
  return out;
}

function renderEnum(en) {
  const name = fullName(en);
  const out = [`### ${anchor(name)}${name.replace(/^samsa\.v1\./, '')}`, ''];
  if (en.comment) out.push(prose(en.comment), '');
  out.push('| name | number | description |', '| --- | --- | --- |');
  for (const [value, id] of Object.entries(en.values)) out.push(`| \`${value}\` | ${id} | ${cell(en.comments[value])} |`);
  out.push('');
  return out;
}

function renderErrorModel(root, model) {
  const en = root.lookupEnum('samsa.v1.ErrorReason');
  const inProto = Object.keys(en.values).filter((v) => en.values[v] !== 0);
  const missingInCode = inProto.filter((r) => model.statusOf(r) === undefined);
  const missingInProto = model.reasons.filter((r) => !inProto.includes(r));
  if (missingInCode.length > 0 || missingInProto.length > 0) {
    throw new Error(
      `ErrorReason in common.proto and ERROR_REASONS in libs/errors differ: ` +
        `only in the proto: [${missingInCode.join(', ')}]; only in the code: [${missingInProto.join(', ')}]`,
    );
  }
  const out = [
    `## ${anchor('errors')}Error model`,
    '',
    'A failed call ends with a gRPC status code and trailing metadata that say why, so a client in any',
    'language can branch on a stable name rather than on message text:',
    '',
    `- \`${model.reasonTrailer}\`: the name of an [\`ErrorReason\`](#samsa.v1.ErrorReason), e.g. \`UNKNOWN_TOPIC_OR_PARTITION\`;`,
    `- \`${model.retriableTrailer}\`: \`true\` or \`false\`; a retriable error may succeed when sent again after a`,
    '  backoff (and, for leadership errors, a metadata refresh);',
    '- `samsa-<detail>`: facts about the error, e.g. `samsa-leader-id` and `samsa-leader-address`',
    '  (host:port) on leadership errors when the leader is known.',
    '',
    'The status message is for people. A status without the reason trailer did not come from a Samsa',
    "handler (e.g. UNAVAILABLE from the transport when a server cannot be reached). Each reason's status",
    'code is fixed in one place, `libs/rpc/status.ts`:',
    '',
    '| reason | number | gRPC status | retriable | meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of inProto) {
    out.push(`| \`${r}\` | ${en.values[r]} | \`${model.statusOf(r)}\` | ${model.retriable(r) ? 'yes' : 'no'} | ${cell(en.comments[r])} |`);
  }
  out.push('');
  return out;
}

/** docs/api.md as a string, from the protos under `protoDir` and the error model of the code. */
export function renderApiDocs(errorModel, protoDir = PROTO_DIR) {
  const files = protoFiles(protoDir);
  const root = loadRoot(protoDir, files);
  const all = walk(root);
  const inFile = (file, kind) => all.filter((o) => o instanceof kind && o.filename === join(protoDir, file));
  const services = files.flatMap((f) => inFile(f, protobuf.Service));
  const out = [
    '# Samsa API reference',
    '',
    '<!-- Generated by scripts/gen-api-docs.mjs from proto/samsa/v1/*.proto and libs/rpc/status.ts.',
    '     Do not edit: change the proto comments, then run `npm run docs:api`. -->',
    '',
    "Samsa's API is proto3, package `samsa.v1`, under [proto/samsa/v1/](../proto/samsa/v1/). This page is",
    'generated from the comments in those files; generate a client in any language from them (see',
    '"Clients in other languages" in the [README](../README.md#clients-in-other-languages)).',
    '',
    '## Contents',
    '',
    '- [Conventions](#conventions)',
    '- [Error model](#errors)',
    ...services.map((s) => `- Service [${s.name}](#${fullName(s)})`),
    ...files.map((f) => `- Messages and enums of [${f}](#${f.replace(/[/.]/g, '-')})`),
    '',
    `## ${anchor('conventions')}Conventions`,
    '',
    ...fileHeader(protoDir, `${PACKAGE_DIR}/common.proto`)
      .split('\n')
      .filter((l) => !/^Samsa v1:/.test(l)),
    '',
    ...renderErrorModel(root, errorModel),
    '## Services',
    '',
  ];
  for (const file of files) {
    for (const s of inFile(file, protobuf.Service)) {
      out.push(...renderService(s, protoDir, file));
    }
  }
  for (const file of files) {
    out.push(`## ${anchor(file.replace(/[/.]/g, '-'))}Messages and enums of ${file}`, '');
    for (const e of inFile(file, protobuf.Enum)) out.push(...renderEnum(e));
    for (const t of inFile(file, protobuf.Type)) out.push(...renderMessage(t));
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

async function main() {
  const grpc = await import('@grpc/grpc-js');
  const errors = await import('../dist/libs/errors/index.js');
  const status = await import('../dist/libs/rpc/status.js');
  const page = renderApiDocs(errorModelFrom({ ...errors, ...status, grpcStatus: grpc.status }));
  if (process.argv.includes('--check')) {
    if (readFileSync(API_DOC, 'utf8') !== page) {
      console.error('docs/api.md is stale: run `npm run docs:api`');
      process.exit(1);
    }
    console.log('docs/api.md is up to date');
    return;
  }
  writeFileSync(API_DOC, page);
  console.log(`docs/api.md written from ${protoFiles(PROTO_DIR).join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

#!/usr/bin/env node
/**
 * Writes libs/kafka-protocol/generated/messages.ts from Apache Kafka's own message definitions
 * (clients/src/main/resources/common/message/*.json and the error codes of Errors.java, Apache-2.0):
 * the field layouts and version ranges of the APIs the gateway speaks, as data the codec
 * interprets, plus a TypeScript interface per message, and the list of every API key with its
 * valid versions (docs/kafka-compatibility.md is checked against it).
 *
 *   node scripts/gen-kafka-messages.mjs                          # from vendor/kafka (the pinned copy)
 *   node scripts/gen-kafka-messages.mjs --out FILE               # the same, written elsewhere (the staleness test)
 *   node scripts/gen-kafka-messages.mjs --update /path/to/kafka [git-ref]
 *                                  # copy those files at ref into vendor/kafka first, then generate
 *
 * The source is vendored so that the generated file can be regenerated and compared in CI, as
 * libs/rpc/generated is (test/unit/kafka-protocol/generated-messages.test.ts). Kafka's JSON has //
 * comments; they are stripped. Fields keep Kafka's names with the first letter lowered (ErrorCode ->
 * errorCode). Common structs are inlined where used.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VENDOR = join(ROOT, 'vendor', 'kafka');
const DIR = 'clients/src/main/resources/common/message';
const ERRORS = 'clients/src/main/java/org/apache/kafka/common/protocol/Errors.java';

const args = process.argv.slice(2);
let outFile = join(ROOT, 'libs/kafka-protocol/generated/messages.ts');
const outAt = args.indexOf('--out');
if (outAt >= 0) {
  outFile = resolve(args[outAt + 1] ?? '');
  args.splice(outAt, 2);
}
if (args[0] === '--update') {
  const [, kafkaDir, ref = 'HEAD'] = args;
  if (!kafkaDir) {
    console.error('usage: gen-kafka-messages.mjs [--out FILE] [--update <kafka checkout or git dir> [ref]]');
    process.exit(2);
  }
  updateVendor(kafkaDir, ref);
} else if (args.length > 0) {
  console.error('usage: gen-kafka-messages.mjs [--out FILE] [--update <kafka checkout or git dir> [ref]]');
  process.exit(2);
}

/** Replaces vendor/kafka with the message definitions and Errors.java of a Kafka checkout at ref. */
function updateVendor(kafkaDir, ref) {
  let gitDir = kafkaDir;
  try {
    execFileSync('git', ['--git-dir', join(kafkaDir, '.git'), 'rev-parse', 'HEAD'], { stdio: 'ignore' });
    gitDir = join(kafkaDir, '.git');
  } catch {
    // a bare git directory (or a mirror) rather than a checkout
  }
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', ref], { encoding: 'utf8' }).trim();
  rmSync(VENDOR, { recursive: true, force: true });
  mkdirSync(VENDOR, { recursive: true });
  const tar = execFileSync('git', ['--git-dir', gitDir, 'archive', commit, DIR, ERRORS, 'LICENSE', 'NOTICE'], {
    maxBuffer: 64 << 20,
  });
  execFileSync('tar', ['-x', '-C', VENDOR], { input: tar });
  writeFileSync(join(VENDOR, 'COMMIT'), `${commit}\n`);
}

const commit = readFileSync(join(VENDOR, 'COMMIT'), 'utf8').trim();
const files = readdirSync(join(VENDOR, DIR))
  .filter((f) => f.endsWith('.json'))
  .sort();

/** The messages the gateway decodes or encodes (request and response of each). */
const APIS = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'OffsetCommit',
  'OffsetFetch',
  'FindCoordinator',
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'DescribeGroups',
  'ListGroups',
  'SaslHandshake',
  'ApiVersions',
  'CreateTopics',
  'DeleteTopics',
  'InitProducerId',
  'DescribeConfigs',
  'AlterConfigs',
  'SaslAuthenticate',
  'CreatePartitions',
  'IncrementalAlterConfigs',
];

function load(file) {
  const text = readFileSync(join(VENDOR, DIR, file), 'utf8');
  // Strip // comments outside strings (Kafka's JSON has none inside strings that matter here).
  const stripped = text
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '"' && line[i - 1] !== '\\') inString = !inString;
        if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
  return JSON.parse(stripped);
}

function range(s) {
  if (s === undefined || s === 'none') return null;
  if (s.endsWith('+')) return [Number(s.slice(0, -1)), 32767];
  const [a, b] = s.split('-');
  return [Number(a), Number(b ?? a)];
}

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
]);
const camel = (n) => n[0].toLowerCase() + n.slice(1);

function field(f, common, structs, owner) {
  const out = { name: camel(f.name), type: f.type, versions: range(f.versions) };
  const nullable = range(f.nullableVersions);
  if (nullable) out.nullable = nullable;
  if (f.tag !== undefined) {
    out.tag = f.tag;
    out.tagged = range(f.taggedVersions);
  }
  if (f.flexibleVersions === 'none') out.neverFlexible = true;
  if (f.default !== undefined) out.default = f.default;
  const element = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
  if (!PRIMITIVES.has(element)) {
    const inner = f.fields ?? common.get(element)?.fields;
    if (!inner) throw new Error(`${owner}: no fields for struct ${element}`);
    out.struct = element;
    out.fields = inner.map((x) => field(x, common, structs, `${owner}.${element}`));
    structs.push({ name: element, fields: out.fields });
  }
  return out;
}

const messages = [];
const allApis = [];
for (const file of files) {
  const m = load(file);
  if (m.type === 'request' && m.apiKey !== undefined)
    allApis.push({ apiKey: m.apiKey, name: m.name.replace(/Request$/, ''), valid: range(m.validVersions), listeners: m.listeners ?? [] });
}
allApis.sort((a, b) => a.apiKey - b.apiKey);

const wanted = [...APIS.flatMap((a) => [`${a}Request`, `${a}Response`]), 'RequestHeader', 'ResponseHeader'];
const interfaces = [];
for (const name of wanted) {
  const m = load(`${name}.json`);
  const common = new Map((m.commonStructs ?? []).map((s) => [s.name, s]));
  const structs = [];
  const fields = m.fields.map((f) => field(f, common, structs, name));
  messages.push({ name, apiKey: m.apiKey ?? -1, type: m.type, valid: range(m.validVersions), flexible: range(m.flexibleVersions), fields });
  const optional = m.type === 'response';
  const tsType = (f) => {
    const element = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
    let t;
    if (f.struct) t = `${name}${f.struct}`;
    else t = { bool: 'boolean', string: 'string', bytes: 'Buffer', records: 'Buffer', uuid: 'Buffer' }[element] ?? 'number';
    if (f.type.startsWith('[]')) t = `${t}[]`;
    if (f.nullable) t = `${t} | null`;
    return t;
  };
  const iface = (iname, fs) =>
    `export interface ${iname} {\n${fs.map((f) => `  ${f.name}${optional ? '?' : ''}: ${tsType(f)};`).join('\n')}\n}\n`;
  interfaces.push(iface(name, fields));
  const seen = new Set();
  for (const s of structs) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    interfaces.push(iface(`${name}${s.name}`, s.fields));
  }
}

const errorsJava = readFileSync(join(VENDOR, ERRORS), 'utf8');
const errorCodes = [...errorsJava.matchAll(/^\s+([A-Z_]+)\((-?\d+),/gm)].map((m) => [m[1], Number(m[2])]);

const out = `/**
 * GENERATED by scripts/gen-kafka-messages.mjs from apache/kafka ${commit}
 * (clients/src/main/resources/common/message/*.json, Apache License 2.0). Do not edit by hand.
 */
import type { MessageSpec } from '../schema.js';

/** Every API key Kafka defines, with the versions Kafka itself accepts and the listeners that serve it. */
export const KAFKA_APIS: readonly { apiKey: number; name: string; valid: readonly [number, number]; listeners: readonly string[] }[] = ${JSON.stringify(allApis)};

/** Kafka's numeric error codes (org.apache.kafka.common.protocol.Errors), by Kafka's names. */
export const ERROR_CODES = ${JSON.stringify(Object.fromEntries(errorCodes))} as const;

export const MESSAGES: Readonly<Record<string, MessageSpec>> = ${JSON.stringify(Object.fromEntries(messages.map((m) => [m.name, m])))};

${interfaces.join('\n')}`;
writeFileSync(outFile, out);
console.log(`wrote ${messages.length} messages, ${allApis.length} API keys from ${commit}`);

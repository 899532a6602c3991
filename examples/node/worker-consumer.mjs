// A group member whose handler runs in worker threads: `run({ workers })` of the TypeScript SDK.
//
//   npm run build
//   node examples/node/worker-consumer.mjs 127.0.0.1:9092 orders billing 2 [AUTO_COMMIT_INTERVAL_MS]
//
// Joins group GROUP on TOPIC and runs `handle` of ./handlers.mjs in WORKERS threads, each owning a
// share of the member's partitions, until SIGINT or SIGTERM: then the handlers stop after the record
// in hand, what they finished is committed, and the member leaves the group. Meanwhile what they
// finish is committed every AUTO_COMMIT_INTERVAL_MS (default 5000). TLS as the CLI takes
// it: SAMSA_TLS_CA/SAMSA_TLS_CERT/SAMSA_TLS_KEY, or SAMSA_INSECURE=1 for a cluster started --insecure.
import { readFileSync } from 'node:fs';
import { Samsa } from '../../dist/libs/client/index.js';

const [bootstrap, topic, groupId, workers = '2', autoCommitIntervalMs] = process.argv.slice(2);
if (!bootstrap || !topic || !groupId) {
  console.error('usage: node examples/node/worker-consumer.mjs BOOTSTRAP TOPIC GROUP [WORKERS] [AUTO_COMMIT_INTERVAL_MS]');
  process.exit(2);
}
const env = process.env;
const tls = env.SAMSA_INSECURE === '1' ? false : { ca: readFileSync(env.SAMSA_TLS_CA), cert: readFileSync(env.SAMSA_TLS_CERT), key: readFileSync(env.SAMSA_TLS_KEY) };
const samsa = new Samsa({ bootstrap, tls });
const member = samsa.groupConsumer({
  groupId,
  topics: [topic],
  ...(autoCommitIntervalMs !== undefined ? { autoCommitIntervalMs: Number(autoCommitIntervalMs) } : {}),
  onAssignment: (a) => console.error(`generation ${a.generation}: ${a.partitions.map((p) => `${p.topic}[${p.partitions.join(',')}]`).join(' ') || '(none)'}`),
});
const stop = () => void member.close();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  await member.run({ workers: Number(workers), eachMessage: { module: new URL('./handlers.mjs', import.meta.url), export: 'handle' } });
} finally {
  await samsa.close();
}
console.error('stopped: handlers drained, offsets committed, group left');

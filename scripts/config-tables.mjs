// Rewrites the configuration tables in README.md from the services' config specs (run after
// `npm run build`): every table sits between <!-- config:<name> --> and <!-- /config:<name> -->.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../dist/libs/config/index.js';

const specs = {
  broker: (await import('../dist/services/broker/config.js')).BROKER_CONFIG_SPEC,
  controller: (await import('../dist/services/controller/config.js')).CONTROLLER_CONFIG_SPEC,
  coordinator: (await import('../dist/services/coordinator/config.js')).COORDINATOR_CONFIG_SPEC,
  'kafka-gateway': (await import('../dist/services/kafka-gateway/config.js')).GATEWAY_CONFIG_SPEC,
};
let readme = readFileSync('README.md', 'utf8');
for (const [name, spec] of Object.entries(specs)) {
  const re = new RegExp(`(<!-- config:${name} -->\\n)[\\s\\S]*?(<!-- /config:${name} -->)`);
  if (!re.test(readme)) throw new Error(`README.md has no <!-- config:${name} --> block`);
  readme = readme.replace(re, `$1${configTable(spec)}\n$2`);
}
writeFileSync('README.md', readme);
console.log(`README.md: ${Object.keys(specs).join(', ')} tables rewritten`);

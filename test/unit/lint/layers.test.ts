/**
 * The layer rule (scripts/lint/layers.mjs, run by `npm run lint`): what it lets through and what it
 * refuses, on paths as they lie in this checkout.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIB_DEPS, locate, violation } from '../../../scripts/lint/layers.mjs';

const root = join(import.meta.dirname, '..', '..', '..');
const why = (from: string, to: string): string | undefined => violation(locate(join(root, from)), locate(join(root, to)));

describe('the layer rule', () => {
  it('refuses a deep import into a lib and accepts the same import through its index', () => {
    expect(why('services/broker/main.ts', 'libs/cluster/metadata.ts')).toMatch(/only through libs\/cluster\/index\.ts/);
    expect(why('services/broker/main.ts', 'libs/cluster/index.ts')).toBeUndefined();
    expect(why('libs/replica/partition.ts', 'libs/cluster/metadata.ts')).toMatch(/only through/);
    expect(why('test/integration/broker.test.ts', 'libs/log/file-names.ts')).toMatch(/only through libs\/log\/index\.ts/);
  });

  it('lets a unit test reach inside the lib its folder names, and only that lib', () => {
    expect(why('test/unit/client/consumer.test.ts', 'libs/client/consumer/merge.ts')).toBeUndefined();
    expect(why('test/unit/launcher/port-plan.test.ts', 'tools/launcher/port-plan.ts')).toBeUndefined();
    expect(why('test/unit/cluster/replica-budget.test.ts', 'libs/rpc/status.ts')).toMatch(/only through libs\/rpc\/index\.ts/);
  });

  it('keeps the generated proto types behind libs/rpc', () => {
    expect(why('libs/rpc/proto.ts', 'libs/rpc/generated/samsa/v1/index.ts')).toBeUndefined();
    expect(why('libs/cluster/topic-rules.ts', 'libs/rpc/generated/samsa/v1/TopicConfig.ts')).toMatch(/generated/);
    expect(why('test/unit/cluster/topic-rules.test.ts', 'libs/rpc/generated/samsa/v1/TopicConfig.ts')).toMatch(/generated/);
  });

  it('refuses imports that run against the layers', () => {
    expect(why('libs/errors/index.ts', 'libs/log/index.ts')).toMatch(/libs\/errors may not import libs\/log/);
    expect(why('libs/log/partition-log.ts', 'libs/replica/index.ts')).toMatch(/may not import libs\/replica/);
    expect(why('libs/rpc/server.ts', 'services/broker/main.ts')).toMatch(/a lib imports only libs/);
    expect(why('libs/client/samsa.ts', 'tools/launcher/index.ts')).toMatch(/a lib imports only libs/);
    expect(why('services/broker/main.ts', 'services/controller/main.ts')).toMatch(/a service imports only libs/);
    expect(why('services/broker/main.ts', 'tools/launcher/index.ts')).toMatch(/a service imports only libs/);
    expect(why('cli/main.ts', 'services/broker/main.ts')).toMatch(/imports only libs and tools/);
    expect(why('libs/log/segment.ts', 'test/unit/log/helpers.ts')).toMatch(/test code/);
  });

  it('accepts what the graph allows', () => {
    expect(why('libs/replica/partition.ts', 'libs/log/index.ts')).toBeUndefined();
    expect(why('cli/commands/perf.ts', 'tools/perf/index.ts')).toBeUndefined();
    expect(why('tools/perf/failover.ts', 'tools/launcher/index.ts')).toBeUndefined();
    expect(why('test/integration/broker.test.ts', 'services/broker/config.ts')).toBeUndefined();
  });

  it('asks for a new lib to be placed in the table', () => {
    expect(why('libs/newlib/index.ts', 'libs/errors/index.ts')).toMatch(/not in the layer table/);
  });

  it('has a table that names only libs it lists', () => {
    for (const deps of Object.values(LIB_DEPS)) for (const d of deps) expect(Object.keys(LIB_DEPS)).toContain(d);
  });
});

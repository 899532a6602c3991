/** The access rules table (libs/security access/rules.ts) covers every Samsa RPC, and nothing else. */
import { describe, expect, it } from 'vitest';
import { loadSamsaProto } from '../../../libs/rpc/index.js';
import { RULES, ruleOf } from '../../../libs/security/index.js';

describe('access rules', () => {
  it('every RPC of every Samsa service has a rule, and every rule names an RPC', () => {
    const v1 = loadSamsaProto().proto.samsa.v1 as unknown as Record<string, { service?: Record<string, { path: string }> }>;
    const paths = Object.values(v1).flatMap((s) => (s.service ? Object.values(s.service).map((m) => m.path) : []));
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !ruleOf(p))).toEqual([]);
    expect(Object.keys(RULES).filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('internal RPCs are for service identities only', () => {
    expect(ruleOf('/samsa.v1.ReplicationService/Replicate')).toEqual({ kind: 'services', services: ['broker'] });
    expect(ruleOf('/samsa.v1.ControllerService/CreateInternalTopic')).toMatchObject({ kind: 'services' });
  });
});

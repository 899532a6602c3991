/**
 * docs/api.md is generated from the proto comments and libs/rpc/status.ts: CI fails when someone
 * changes either without running `npm run docs:api`.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERROR_REASONS, isRetriableReason } from '../../../libs/errors/index.js';
import { grpcCodeFor, REASON_TRAILER, RETRIABLE_TRAILER } from '../../../libs/rpc/index.js';
import { API_DOC, errorModelFrom, renderApiDocs } from '../../../scripts/gen-api-docs.mjs';

const errorModel = errorModelFrom({
  ERROR_REASONS,
  isRetriableReason,
  grpcCodeFor,
  grpcStatus: grpc.status,
  REASON_TRAILER,
  RETRIABLE_TRAILER,
});

describe('the API reference (docs/api.md)', () => {
  const page = renderApiDocs(errorModel);

  it('is up to date with the protos and the error mapping (else run `npm run docs:api`)', () => {
    // Compare line by line first so a failure shows the stale lines, not two 900-line strings.
    const committed = readFileSync(API_DOC, 'utf8');
    expect(committed.split('\n'), 'docs/api.md is stale: run `npm run docs:api` and commit it').toEqual(page.split('\n'));
  });

  it('documents every RPC with its streaming kind, every field with its number, and the reason trailer', () => {
    expect(page).toContain(
      '| [Consume](#samsa.v1.BrokerService.Consume) | [`ConsumeRequest`](#samsa.v1.ConsumeRequest) | stream [`ConsumeResponse`](#samsa.v1.ConsumeResponse) | server streaming |',
    );
    expect(page).toContain('`rpc CreateTopic(CreateTopicRequest) returns (CreateTopicResponse)` — unary');
    expect(page).toMatch(/\| `key` \| 1 \| `bytes` \| optional \| Optional; records with equal keys/);
    expect(page).toMatch(/\| `UNKNOWN_TOPIC_OR_PARTITION` \| 1 \| `NOT_FOUND` \| no \|/);
    expect(page).toMatch(/\| `NOT_LEADER_OR_FOLLOWER` \| 11 \| `UNAVAILABLE` \| yes \|/);
    expect(page).toContain('`samsa-error-reason`');
  });

  it('refuses to render when the proto and the code disagree on the error reasons', () => {
    const drifted = { ...errorModel, reasons: [...errorModel.reasons, 'NOT_IN_THE_PROTO'] };
    expect(() => renderApiDocs(drifted)).toThrow(/only in the code: \[NOT_IN_THE_PROTO\]/);
  });
});

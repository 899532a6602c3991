// Types of scripts/gen-api-docs.mjs for the TypeScript tests that import it.
export interface ErrorModel {
  reasons: string[];
  statusOf(reason: string): string | undefined;
  retriable(reason: string): boolean;
  reasonTrailer: string;
  retriableTrailer: string;
}
export interface ErrorModelSources<R extends string> {
  ERROR_REASONS: readonly R[];
  isRetriableReason(reason: R): boolean;
  grpcCodeFor(reason: R): number;
  grpcStatus: Readonly<Record<number, string>>;
  REASON_TRAILER: string;
  RETRIABLE_TRAILER: string;
}
export const PROTO_DIR: string;
export const API_DOC: string;
export function errorModelFrom<R extends string>(sources: ErrorModelSources<R>): ErrorModel;
export function renderApiDocs(errorModel: ErrorModel, protoDir?: string): string;

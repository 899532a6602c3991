// Types for scripts/lint/layers.mjs, so the unit test that checks the rule is type-checked.
export interface Location {
  kind: string;
  unit: string;
  name: string | undefined;
  rel: string;
  isFace: boolean;
  generated?: boolean;
  unitTestOf?: string | undefined;
}
export const LIB_DEPS: Readonly<Record<string, readonly string[]>>;
export function locate(absPath: string): Location;
export function violation(from: Location, to: Location): string | undefined;
export const samsaPlugin: { meta: { name: string }; rules: Record<string, unknown> };

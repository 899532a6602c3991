/**
 * The size of a broker's young generation (V8's semi-spaces), ADR 0061. V8 lets a busy process's
 * semi-spaces grow to 16 MiB each (young generation up to ~48 MiB), and a broker keeps what it grew
 * to: its allocations are short-lived request and response objects whose payloads live outside the
 * heap (ADR 0059), so a larger young generation buys it almost nothing but resident memory. Capped
 * at 4 MiB the brokers' largest RSS in the bench was 202-215 MiB against 229-269 with no loss of
 * records/s or CPU per GB (docs/benchmarks.md, fifteenth session, "the brokers' young generation").
 *
 * Like `--single-threaded-gc` (gc-threads.ts) the flag only takes effect on the node command line
 * (V8 sizes the heap at start), so whatever starts a broker puts it there: the local launcher by
 * this rule, the image and compose files by their own command. An operator's own flag wins.
 */

/** Each of a broker's semi-spaces at most this many MiB (V8's default on 64-bit: 16). */
export const BROKER_MAX_SEMI_SPACE_MB = 4;

export const BROKER_YOUNG_GENERATION_FLAG = `--max-semi-space-size=${BROKER_MAX_SEMI_SPACE_MB}`;

/** V8 flags by which an operator already sized the young generation. */
const YOUNG_GENERATION_FLAG = /^--(max|min)[-_]semi[-_]space[-_]size(=|$)/;

/**
 * The young generation flag to start a broker with; none when `operatorFlags` (the broker's own node
 * flags and its NODE_OPTIONS, heap-growth.ts' operatorFlags) already size it. NODE_OPTIONS counts
 * because a flag on the command line would override it.
 */
export function youngGenerationNodeArgs(operatorFlags: readonly string[] = []): string[] {
  return operatorFlags.some((a) => YOUNG_GENERATION_FLAG.test(a)) ? [] : [BROKER_YOUNG_GENERATION_FLAG];
}

/**
 * A latency histogram in the manner of HdrHistogram: log-linear buckets with 1,024 sub-buckets per
 * power of two, so every recorded value is kept to within 0.1% (exact below 2,048) from 0 up to
 * 2^41 - 1 (in microseconds: 25 days). Memory is fixed (about 340 KiB), recording is O(1) and
 * allocation-free, and histograms of several runs can be added together.
 *
 * Layout of `counts`: index v for v < 2,048; above, a value whose highest set bit is b (b >= 11)
 * has shift s = b - 10 and lies at (s + 1) * 1,024 + ((v >> s) - 1,024), so each power of two owns
 * 1,024 consecutive slots.
 *
 * Values are integers in whatever unit the caller picks (the perf tools record microseconds).
 * Values below 0 count as 0, values above the maximum count as the maximum. Not thread-safe (it
 * is plain JavaScript state).
 */
const SUB_BUCKET_BITS = 10;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
const MAX_BIT = 40;
/** The largest value kept exactly to 0.1%; larger values are clamped to it. */
export const HISTOGRAM_MAX_VALUE = 2 ** (MAX_BIT + 1) - 1;
const SLOTS = (MAX_BIT - SUB_BUCKET_BITS + 2) * SUB_BUCKETS;

function indexOf(value: number): number {
  if (value < 2 * SUB_BUCKETS) return value;
  // clz32 sees 32 bits; values up to 2^41 are looked at 20 bits down.
  const highBit = value < 2 ** 31 ? 31 - Math.clz32(value) : 51 - Math.clz32(Math.floor(value / 2 ** 20));
  const shift = highBit - SUB_BUCKET_BITS;
  return (shift + 1) * SUB_BUCKETS + (Math.floor(value / 2 ** shift) - SUB_BUCKETS);
}

/** The smallest value that lands in slot `index`. */
function lowestOf(index: number): number {
  if (index < 2 * SUB_BUCKETS) return index;
  const shift = Math.floor(index / SUB_BUCKETS) - 1;
  return ((index % SUB_BUCKETS) + SUB_BUCKETS) * 2 ** shift;
}

/** The largest value that lands in slot `index`. */
function highestOf(index: number): number {
  if (index < 2 * SUB_BUCKETS) return index;
  const shift = Math.floor(index / SUB_BUCKETS) - 1;
  return lowestOf(index) + 2 ** shift - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(SLOTS);
  private total = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;
  private sum = 0;

  /** Records `value` (rounded to an integer, clamped to 0..HISTOGRAM_MAX_VALUE) `count` times. */
  record(value: number, count = 1): void {
    if (count <= 0) return;
    const v = Math.min(HISTOGRAM_MAX_VALUE, Math.max(0, Math.round(value)));
    const i = indexOf(v);
    this.counts[i] = (this.counts[i] as number) + count;
    this.total += count;
    this.sum += v * count;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  /** Adds every value recorded in `other` to this histogram. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < SLOTS; i++) {
      const c = other.counts[i] as number;
      if (c > 0) this.counts[i] = (this.counts[i] as number) + c;
    }
    this.total += other.total;
    this.sum += other.sum;
    if (other.total > 0) {
      this.minValue = Math.min(this.minValue, other.minValue);
      this.maxValue = Math.max(this.maxValue, other.maxValue);
    }
  }

  get count(): number {
    return this.total;
  }

  /** Smallest recorded value; 0 when empty. */
  get min(): number {
    return this.total === 0 ? 0 : this.minValue;
  }

  /** Largest recorded value (exact); 0 when empty. */
  get max(): number {
    return this.maxValue;
  }

  /** Mean of the recorded values (exact); 0 when empty. */
  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /**
   * The value at `percentile` (0..100): the highest value of the slot that holds the ceil(p% of
   * count)-th smallest recording, capped at the exact maximum, so it is never below the true
   * percentile and at most 0.1% above it. 0 when empty.
   */
  percentile(percentile: number): number {
    if (this.total === 0) return 0;
    // The epsilon keeps float noise (0.999 * 1000 = 999.0000000000001) from moving the rank up one.
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, percentile)) / 100) * this.total - 1e-9));
    let seen = 0;
    for (let i = 0; i < SLOTS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(this.maxValue, Math.max(this.minValue, highestOf(i)));
    }
    return this.maxValue;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }
}

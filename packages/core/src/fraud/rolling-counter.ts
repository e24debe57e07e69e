import { assert } from '../kernel/assert.ts';

/**
 * A sum over a sliding window kept as fixed buckets (a ring): O(buckets) memory whatever the
 * traffic. Bucket i holds what was added during the bucket-long interval stamped in `starts`;
 * a stale bucket is zeroed when it is reused. Sums are bucket-aligned: "the last 10 minutes"
 * with 1-minute buckets covers between 9 and 10 minutes of events, which rules tolerate.
 */
export interface RollingCounter {
  readonly bucketMs: number;
  readonly values: bigint[];
  readonly starts: number[];
}

export function rollingCounter(bucketMs: number, buckets: number): RollingCounter {
  assert(Number.isSafeInteger(bucketMs) && bucketMs > 0, 'a bucket lasts a positive time');
  assert(Number.isSafeInteger(buckets) && buckets > 0 && buckets <= 1_440, 'buckets bounded');
  return { bucketMs, values: new Array<bigint>(buckets).fill(0n),
    starts: new Array<number>(buckets).fill(-1) };
}

/** Adds `amount` at instant `atMs`; an instant older than the window is ignored. */
export function addTo(counter: RollingCounter, atMs: number, amount: bigint, nowMs: number): void {
  const index = Math.floor(atMs / counter.bucketMs);
  const oldest = Math.floor(nowMs / counter.bucketMs) - counter.values.length + 1;
  if (index < oldest) return;
  const slot = index % counter.values.length;
  if (counter.starts[slot] !== index) {
    counter.starts[slot] = index;
    counter.values[slot] = 0n;
  }
  counter.values[slot] = counter.values[slot]! + amount;
}

/** The sum of the buckets that lie in the last `spanMs` before `nowMs` (bucket-aligned). */
export function sumOver(counter: RollingCounter, nowMs: number, spanMs: number): bigint {
  const newest = Math.floor(nowMs / counter.bucketMs);
  const count = Math.min(counter.values.length, Math.max(1, Math.ceil(spanMs / counter.bucketMs)));
  const oldest = newest - count + 1;
  let total = 0n;
  for (let slot = 0; slot < counter.values.length; slot += 1) {
    const start = counter.starts[slot]!;
    if (start >= oldest && start <= newest) total += counter.values[slot]!;
  }
  return total;
}

import { performance } from 'node:perf_hooks';
import { assert } from '@tollgate/core';

/**
 * The floor under the rating bench on a large deck, measured in the same run: how long one read
 * from RAM takes on this machine right now. A rating on the 500k deck searches tables that stay
 * in the caches and then reads one record from RAM, so its time is about this latency plus the
 * rating's own work (the bench's `inCacheRatingsPerSecond`). On a shared machine the latency
 * moves with the neighbours' load (150 ns on a quiet 2-core bench VM, twice that when busy), and
 * the 500k figure with it: reported side by side, the two tell a slow engine from a busy box.
 */
export interface RatingFloors {
  /** One dependent random read over `floorLimits.ramBytes`, best of `floorLimits.runs`. */
  readonly ramReadNs: number;
}

const floorLimits = {
  /** Far beyond any cache of the machines we run on, like the 500k deck's records. */
  ramBytes: 64 * 1024 * 1024,
  reads: 2_000_000,
  runs: 5,
  lineInts: 16, // 64-byte cache lines of 4-byte ints
  seed: 20_261_129,
} as const;

export function measureRatingFloors(): RatingFloors {
  const chain = randomCycle();
  let bestNs = Infinity;
  let at = 0;
  for (let run = 0; run < floorLimits.runs; run += 1) {
    const startedAt = performance.now();
    // Each read's address is the previous read's value: nothing can overlap or be prefetched.
    for (let read = 0; read < floorLimits.reads; read += 1) at = chain[at]!;
    bestNs = Math.min(bestNs, ((performance.now() - startedAt) * 1e6) / floorLimits.reads);
  }
  assert(at >= 0, 'the chain holds offsets'); // also keeps the reads from being dropped
  return { ramReadNs: Math.round(bestNs * 10) / 10 };
}

/** One cycle through every cache line of the array, in a seeded random order. */
function randomCycle(): Int32Array {
  const { ramBytes, lineInts } = floorLimits;
  const chain = new Int32Array(ramBytes / 4);
  const lines = chain.length / lineInts;
  const order = new Int32Array(lines);
  for (let line = 0; line < lines; line += 1) order[line] = line;
  let state = floorLimits.seed;
  for (let line = lines - 1; line > 0; line -= 1) {
    // xorshift32: deterministic; quality is irrelevant for scattering lines.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const other = (state >>> 0) % (line + 1);
    const kept = order[line]!;
    order[line] = order[other]!;
    order[other] = kept;
  }
  for (let step = 0; step < lines; step += 1) {
    chain[order[step]! * lineInts] = order[(step + 1) % lines]! * lineInts;
  }
  return chain;
}

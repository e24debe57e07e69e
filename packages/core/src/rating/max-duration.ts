import { assert } from '../kernel/assert.ts';
import type { Micros } from '../kernel/money.ts';
import type { CallPlan } from './call-plan.ts';
import { rateDuration } from './rate-duration.ts';

export interface MaxDuration {
  /** The largest whole number of seconds whose rounded cost fits the funds (up to the cap). */
  readonly maxSeconds: number;
  /** Cost of `maxSeconds`. */
  readonly costMicros: Micros;
  /** True when the cap, not the funds, set the answer. */
  readonly capped: boolean;
  /** The rate stops being defined at this many seconds (a band gap), or null. */
  readonly noRateFromS: number | null;
}

/**
 * The exact inverse of rating (rating.md, "Max duration"): the largest `d <= capS` with
 * `cost(d) <= funds`. Cost is non-decreasing in duration (prices are never negative and blocks
 * only add), and a duration that would start a block in a gap counts as unaffordable, so a
 * binary search over whole seconds is exact: it can never be off by one block.
 */
export function maxDuration(
  plan: CallPlan,
  fundsMicros: Micros,
  options: { capS: number; bundleSecondsAvailable?: number },
): MaxDuration {
  const { capS } = options;
  const bundleSeconds = options.bundleSecondsAvailable ?? 0;
  assert(Number.isInteger(capS) && capS >= 0, 'cap is whole seconds');
  assert(plan.bandActivity === null || capS <= plan.horizonS, 'cap within the plan horizon');
  let noRateFromS: number | null = null;
  const costAt = (durationS: number): Micros | null => {
    const rated = rateDuration(plan, durationS, bundleSeconds);
    if (rated.status === 'rated') return rated.costMicros;
    if (noRateFromS === null || durationS < noRateFromS) noRateFromS = durationS;
    return null;
  };
  const fits = (durationS: number): boolean => {
    const cost = costAt(durationS);
    return cost !== null && cost <= fundsMicros;
  };
  if (fundsMicros < 0n || !fits(0)) {
    return { maxSeconds: 0, costMicros: 0n as Micros, capped: false, noRateFromS };
  }
  if (fits(capS)) {
    return { maxSeconds: capS, costMicros: costAt(capS)!, capped: true, noRateFromS };
  }
  // Invariant: fits(low) and not fits(high).
  let low = 0;
  let high = capS;
  for (let guard = 0; high - low > 1; guard += 1) {
    assert(guard < 64, 'binary search terminates');
    const middle = low + Math.floor((high - low) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return { maxSeconds: low, costMicros: costAt(low)!, capped: false, noRateFromS };
}

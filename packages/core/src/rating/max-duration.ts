import { assert } from '../kernel/assert.ts';
import {
  isSafeMicros,
  micros,
  safeMicrosMax,
  type Micros,
  type RoundingMode,
} from '../kernel/money.ts';
import type { CallPlan } from './call-plan.ts';
import { onePartCostNumber } from './one-part-cost.ts';
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
  const plain = isOnePlainRowPlan(plan)
    ? maxOnPlainRow(plan, fundsMicros, capS, bundleSeconds)
    : null;
  return plain ?? searchMaxDuration(plan, fundsMicros, {
    capS,
    bundleSecondsAvailable: bundleSeconds,
  });
}

/** The general search of `maxDuration`: every probe is a rated call. */
export function searchMaxDuration(
  plan: CallPlan,
  fundsMicros: Micros,
  options: { capS: number; bundleSecondsAvailable: number },
): MaxDuration {
  const { capS, bundleSecondsAvailable: bundleSeconds } = options;
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

/** A plan whose one row prices every block: no tier, no band (`planRows` makes these often). */
export function isOnePlainRowPlan(plan: CallPlan): boolean {
  if (plan.candidates.length !== 1 || plan.bandActivity !== null) return false;
  const row = plan.candidates[0]!;
  return row.fromS === 0 && row.timeBand === null;
}

/**
 * `maxDuration` for a plan of one plain row: the same search over the same probes, with each
 * probe's cost computed in exact Numbers (`one-part-cost.ts`) instead of a rated call. Such a
 * row is in force at every block, so there is no gap (`noRateFromS` stays null). Returns null
 * when the Numbers would not be exact; the caller then runs the general search.
 */
function maxOnPlainRow(
  plan: CallPlan,
  fundsMicros: Micros,
  capS: number,
  bundleSeconds: number,
): MaxDuration | null {
  const row = plan.candidates[0]!;
  if (!(isSafeMicros(row.rateMicros) && isSafeMicros(row.connectFeeMicros))) {
    // The general search answers negative funds the same way, with bigints.
    return null;
  }
  return maxOnPlainPrice({
    connectFeeMicros: Number(row.connectFeeMicros),
    rateMicros: Number(row.rateMicros),
    rateUnitS: row.rateUnitS,
    includedS: row.includedS,
    initialS: row.initialIncrementS,
    incrementS: row.incrementS,
  }, plan.deck.settings, fundsMicros, capS, bundleSeconds);
}

/** What prices a plain row, as safe integers: from the row, or from the prefix index's record. */
export interface PlainPrice {
  readonly connectFeeMicros: number;
  readonly rateMicros: number;
  readonly rateUnitS: number;
  readonly includedS: number;
  readonly initialS: number;
  readonly incrementS: number;
}

/**
 * The search of `maxOnPlainRow` on a plain row's numbers. Returns null when the Numbers would
 * not be exact at the cap (costs only grow with duration, so then they are exact at every
 * probe).
 */
export function maxOnPlainPrice(
  price: PlainPrice,
  settings: { readonly decimals: number; readonly rounding: RoundingMode },
  fundsMicros: Micros,
  capS: number,
  bundleSeconds: number,
): MaxDuration | null {
  if (fundsMicros < 0n) {
    return { maxSeconds: 0, costMicros: micros(0n), capped: false, noRateFromS: null };
  }
  // What rating 0 s checks first in the general search.
  assert(Number.isInteger(bundleSeconds) && bundleSeconds >= 0, 'bundle >= 0');
  const { decimals, rounding } = settings;
  const { connectFeeMicros, rateMicros, rateUnitS, includedS, initialS, incrementS } = price;
  // The arithmetic of `rateDuration` for this plan, step for step.
  const costAt = (durationS: number): number => {
    if (durationS === 0 || durationS <= includedS) return 0;
    const reducedS = durationS - includedS;
    const billedSeconds =
      reducedS <= initialS
        ? initialS
        : initialS + Math.ceil((reducedS - initialS) / incrementS) * incrementS;
    const paidSeconds = billedSeconds - Math.min(bundleSeconds, billedSeconds);
    return onePartCostNumber(connectFeeMicros, rateUnitS, paidSeconds, rateMicros, decimals,
      rounding);
  };
  const capCost = costAt(capS);
  if (capCost < 0) return null;
  // Every cost is a safe integer, so funds beyond that range cover all of them.
  const funds = fundsMicros > safeMicrosMax ? Infinity : Number(fundsMicros);
  if (capCost <= funds) {
    const costMicros = micros(BigInt(capCost));
    return { maxSeconds: capS, costMicros, capped: true, noRateFromS: null };
  }
  let low = 0;
  let high = capS;
  for (let guard = 0; high - low > 1; guard += 1) {
    assert(guard < 64, 'binary search terminates');
    const middle = low + Math.floor((high - low) / 2);
    const cost = costAt(middle);
    assert(cost >= 0, 'a cost below the cap is exact when the cap is');
    if (cost <= funds) low = middle;
    else high = middle;
  }
  const costMicros = micros(BigInt(costAt(low)));
  return { maxSeconds: low, costMicros, capped: false, noRateFromS: null };
}

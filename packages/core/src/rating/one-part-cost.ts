import type { RoundingMode } from '../kernel/money.ts';

/**
 * The cost of a call priced by one row throughout, `connect + paid * rate / unit` micros rounded
 * once to `decimals` with `mode` (rating.md, "Money"), computed in Numbers instead of bigints:
 * bigint arithmetic allocates on every step and costs more than the rest of rating a call.
 * Returns -1 when the exactness argument below does not hold; the caller then prices with
 * bigints (`rate-duration.ts`), so the result never depends on which path ran.
 *
 * Why the Numbers are exact. The inputs are non-negative safe integers (callers check). A
 * Number operation returns the exact result rounded to the nearest double; rounding is
 * monotone, and every integer up to 2^53 is a double. Let n, d be the exact numerator and
 * denominator and N, D, S the computed ones.
 * - The check `N + D <= 2^53 - 1` passes only if n + d < 2^53: an exact value at or above 2^53
 *   cannot round to a smaller double. Then each product (`connect * unit`, `paid * rate`,
 *   `unit * step`) and the sum are integers below 2^53, so they were computed exactly: N = n,
 *   D = d.
 * - n / d is below 2^53, so the double quotient is less than 1 away from it and its floor q is
 *   the exact floor or one off. q * d <= n + d < 2^53, so `q * d` and `n - q * d` are exact, and
 *   one correction step gives the exact quotient and remainder.
 * - The rounded quotient times `step` is at most n / unit + step, below 2^53.
 * The arguments are positional because this runs for every rated call.
 */
export function onePartCostNumber(
  connectFeeMicros: number,
  rateUnitS: number,
  paidSeconds: number,
  rateMicros: number,
  decimals: number,
  mode: RoundingMode,
): number {
  const step = stepMicrosByDecimals[decimals];
  if (step === undefined) return -1;
  const numerator = connectFeeMicros * rateUnitS + paidSeconds * rateMicros;
  const denominator = rateUnitS * step;
  if (!(numerator + denominator <= Number.MAX_SAFE_INTEGER)) return -1;
  // floor(numerator / denominator) from the double quotient, then corrected by one if that was
  // rounded across an integer. (`%` on doubles would be exact too, but it is a call to fmod.)
  let quotient = Math.floor(numerator / denominator);
  let remainder = numerator - quotient * denominator;
  if (remainder < 0) {
    quotient -= 1;
    remainder += denominator;
  } else if (remainder >= denominator) {
    quotient += 1;
    remainder -= denominator;
  }
  const rounded = roundedUp(remainder, denominator, quotient, mode) ? quotient + 1 : quotient;
  return rounded * step;
}

/** Whether `quotient + remainder / denominator` (non-negative) rounds up with `mode`. */
function roundedUp(
  remainder: number,
  denominator: number,
  quotient: number,
  mode: RoundingMode,
): boolean {
  if (remainder === 0) return false;
  switch (mode) {
    case 'down':
      return false;
    case 'up':
      return true;
    case 'half_up':
      return remainder * 2 >= denominator;
    case 'half_even':
      return remainder * 2 > denominator || (remainder * 2 === denominator && quotient % 2 === 1);
  }
}

/** Micros in one unit of the last kept decimal, by number of decimals (0..6). */
const stepMicrosByDecimals: readonly number[] = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

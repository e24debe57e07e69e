import { assert, assertNever } from './assert.ts';
import { problem, success, type Result } from './result.ts';

/**
 * Money is an integer number of micros: 10^-6 of the currency's major unit. The scale is fixed
 * for the whole product (docs/decisions/0001-money-bigint-micros.md) and cannot change later.
 * The brand stops a plain bigint (a count of seconds, say) from being used as money by mistake.
 */
export type Micros = bigint & { readonly __unit: 'micros' };

export const microsPerUnit = 1_000_000n;
export const moneyDecimalsMax = 6;

export const roundingModes = ['up', 'down', 'half_up', 'half_even'] as const;
export type RoundingMode = (typeof roundingModes)[number];

export function micros(value: bigint): Micros {
  return value as Micros;
}

export const zeroMicros = micros(0n);

/** Numbers are used for money only up to here: beyond it a double may not be exact. */
export const safeMicrosMax = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An amount the Number fast paths may take (`one-part-cost.ts`, the prefix index's records):
 * non-negative and a safe integer.
 */
export function isSafeMicros(amount: bigint): boolean {
  return amount >= 0n && amount <= safeMicrosMax;
}

export function isRoundingMode(value: string): value is RoundingMode {
  return (roundingModes as readonly string[]).includes(value);
}

// Digits, an optional fraction with at least one digit on each side of the point: "0.06", "12".
// Rejects ".5", "5.", "+1", "1e-3", " 1", and an optional leading minus is handled separately.
const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;
const decimalDigitsMax = 30;

export type MoneyParseCode = 'invalid_amount' | 'amount_too_precise' | 'negative_amount';

/**
 * Parses a decimal string ("0.0480") into micros, exactly. At most 6 decimals; never a float.
 * Negative amounts are refused unless `allowNegative` is set (adjustments may be negative).
 */
export function parseMicros(
  text: string,
  options: { allowNegative?: boolean } = {},
): Result<Micros, MoneyParseCode> {
  if (text.length > decimalDigitsMax) {
    return problem('invalid_amount', `amount "${text.slice(0, 20)}..." is too long`);
  }
  const match = decimalPattern.exec(text);
  if (match === null) {
    return problem('invalid_amount', `"${text}" is not a decimal amount such as 12.50`);
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > moneyDecimalsMax) {
    return problem('amount_too_precise', `"${text}" has more than ${moneyDecimalsMax} decimals`);
  }
  const magnitude = BigInt(whole) * microsPerUnit + BigInt(fraction.padEnd(6, '0'));
  if (sign === '-' && magnitude !== 0n && options.allowNegative !== true) {
    return problem('negative_amount', `"${text}" is negative`);
  }
  return success(micros(sign === '-' ? -magnitude : magnitude));
}

/** Formats micros as a decimal string with exactly `decimals` places (the value must fit). */
export function formatMicros(amount: Micros, decimals: number): string {
  assert(Number.isInteger(decimals) && decimals >= 0 && decimals <= 6, 'decimals in 0..6');
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const step = 10n ** BigInt(moneyDecimalsMax - decimals);
  assert(magnitude % step === 0n, `amount ${amount} micros must already be rounded to ${decimals}`);
  const whole = magnitude / microsPerUnit;
  const fraction = (magnitude % microsPerUnit).toString().padStart(6, '0').slice(0, decimals);
  const body = decimals === 0 ? whole.toString() : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}

/** Formats micros with all 6 decimals trimmed of trailing zeros down to `decimalsMin`. */
export function formatMicrosTrimmed(amount: Micros, decimalsMin = 2): string {
  let decimals = 6;
  while (decimals > decimalsMin && amount % 10n ** BigInt(7 - decimals) === 0n) decimals -= 1;
  return formatMicros(amount, decimals);
}

/**
 * Divides `numerator / denominator` (denominator > 0) to an integer with an explicit mode.
 * `half_up` rounds halves away from zero; `up` is the ceiling and `down` the floor.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  assert(denominator > 0n, 'denominator is positive');
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const floor = numerator < 0n ? quotient - 1n : quotient;
  const twiceRemainder = 2n * (numerator - floor * denominator); // in (0, 2*denominator)
  switch (mode) {
    case 'down':
      return floor;
    case 'up':
      return floor + 1n;
    case 'half_up':
      if (twiceRemainder === denominator) return numerator < 0n ? floor : floor + 1n;
      return twiceRemainder > denominator ? floor + 1n : floor;
    case 'half_even':
      if (twiceRemainder === denominator) return floor % 2n === 0n ? floor : floor + 1n;
      return twiceRemainder > denominator ? floor + 1n : floor;
    default:
      return assertNever(mode, 'unknown rounding mode');
  }
}

/** Micros in one unit of the last kept decimal, by number of decimals (0..6). */
const stepMicrosByDecimals: readonly bigint[] = [
  1_000_000n, 100_000n, 10_000n, 1_000n, 100n, 10n, 1n,
];

/**
 * Rounds an exact amount of `numerator / denominator` micros to `decimals` places of the major
 * unit. This is the single rounding step of a rated call (rating.md, "Money").
 */
export function roundMicrosToDecimals(options: {
  numerator: bigint;
  denominator: bigint;
  decimals: number;
  mode: RoundingMode;
}): Micros {
  const { numerator, denominator, decimals, mode } = options;
  const step = stepMicrosByDecimals[decimals];
  assert(step !== undefined, 'decimals in 0..6');
  return micros(divideRounded(numerator, denominator * step, mode) * step);
}

export function minMicros(a: Micros, b: Micros): Micros {
  return a < b ? a : b;
}

export function maxMicros(a: Micros, b: Micros): Micros {
  return a > b ? a : b;
}

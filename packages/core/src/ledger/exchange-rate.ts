import { assert } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import { divideRounded, micros, type Micros, type RoundingMode } from '../kernel/money.ts';
import { success } from '../kernel/result.ts';
import { ledgerProblem, type LedgerResult } from './ledger-problem.ts';

/**
 * How many units of `toCurrency` one unit of `fromCurrency` buys, from `validFromMs` until the
 * next rate of the same pair. The rate is a decimal string kept exactly as a rational, so a
 * conversion rounds once, with an explicit mode, like a rated call.
 */
export interface ExchangeRate {
  readonly fromCurrency: CurrencyCode;
  readonly toCurrency: CurrencyCode;
  /** Decimal text as given, e.g. "1.0845": the stored form. */
  readonly rate: string;
  readonly validFromMs: number;
}

export interface RationalRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export const exchangeRateDecimalsMax = 12;
const rateTextLengthMax = 32;
const ratePattern = /^(\d+)(?:\.(\d+))?$/;

export function parseExchangeRate(
  text: string,
): LedgerResult<RationalRate, 'invalid_exchange_rate'> {
  const match = text.length <= rateTextLengthMax ? ratePattern.exec(text) : null;
  if (match === null) {
    return ledgerProblem('invalid_exchange_rate', `"${text.slice(0, 40)}" is not a decimal rate`);
  }
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > exchangeRateDecimalsMax) {
    return ledgerProblem('invalid_exchange_rate',
      `a rate has at most ${exchangeRateDecimalsMax} decimals`);
  }
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = BigInt(whole) * denominator + BigInt(fraction === '' ? '0' : fraction);
  if (numerator === 0n) return ledgerProblem('invalid_exchange_rate', 'a rate is positive');
  return success({ numerator, denominator });
}

/** Converts an amount with a rate, rounding once with the given mode. */
export function convertMicros(options: {
  amountMicros: Micros;
  rate: RationalRate;
  mode: RoundingMode;
}): Micros {
  const { amountMicros, rate, mode } = options;
  assert(rate.numerator > 0n && rate.denominator > 0n, 'a rate is a positive rational');
  return micros(divideRounded(amountMicros * rate.numerator, rate.denominator, mode));
}

/** The identity rate: an amount in the account's own currency needs no table. */
export const unitRate: RationalRate = { numerator: 1n, denominator: 1n };

import { micros, roundMicrosToDecimals, type Micros, type RoundingMode } from '../kernel/money.ts';

/**
 * Decimals of each currency's minor unit (ISO 4217). Most currencies have two; the ones listed
 * here differ. An invoice line is rounded to this unit, once.
 */
const minorDigitsByCurrency: Readonly<Record<string, number>> = {
  BHD: 3, BIF: 0, CLF: 4, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0,
  KRW: 0, KWD: 3, LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, UYW: 4, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

const defaultMinorDigits = 2;

export function currencyMinorDigits(currency: string): number {
  return minorDigitsByCurrency[currency] ?? defaultMinorDigits;
}

/**
 * The one rounding step of an invoice line: an exact amount of micros to the currency's minor
 * unit, with an explicit mode.
 */
export function roundMicrosToMinorUnit(
  amountMicros: bigint,
  currency: string,
  mode: RoundingMode,
): Micros {
  return roundMicrosToDecimals({ numerator: amountMicros, denominator: 1n,
    decimals: currencyMinorDigits(currency), mode });
}

/**
 * An exact fraction of micros (`numerator / denominator`) to the minor unit: a tax is a
 * fraction of a line and is rounded once, here, without an intermediate rounding to micros.
 */
export function roundFractionToMinorUnit(options: {
  numerator: bigint;
  denominator: bigint;
  currency: string;
  mode: RoundingMode;
}): Micros {
  return micros(roundMicrosToDecimals({ numerator: options.numerator,
    denominator: options.denominator, decimals: currencyMinorDigits(options.currency),
    mode: options.mode }));
}

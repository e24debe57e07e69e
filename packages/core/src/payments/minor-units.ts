import { currencyMinorDigits } from '../billing/currency-units.ts';
import { micros, type Micros } from '../kernel/money.ts';

/**
 * Card processors count money in the currency's minor unit (cents). These convert exactly;
 * an amount that is not a whole number of minor units is refused, never rounded (a refill or
 * a top-up is an amount the owner chose, not a computed one).
 */
export function microsPerMinorUnit(currency: string): bigint {
  return 10n ** BigInt(6 - currencyMinorDigits(currency));
}

export function microsToMinorUnits(amountMicros: Micros, currency: string): bigint | null {
  const unit = microsPerMinorUnit(currency);
  return amountMicros % unit === 0n ? amountMicros / unit : null;
}

export function minorUnitsToMicros(minorUnits: bigint, currency: string): Micros {
  return micros(minorUnits * microsPerMinorUnit(currency));
}

import { problem, success, type Result } from '../kernel/result.ts';
import { billingLimits } from './billing-limits.ts';

/**
 * How an invoice is taxed. `standard`: the named rates apply, each on the whole taxable amount
 * (a state and a city tax side by side); prices either exclude the tax (it is added) or include
 * it (it is taken out). `exempt`: no tax, the note says why. `reverse_charge`: no tax, the note
 * says the recipient accounts for it. Rates are parts per million of the amount (20% is
 * 200000), so a rate such as 8.875% is exact.
 */
export const taxTreatments = ['standard', 'exempt', 'reverse_charge'] as const;
export type TaxTreatment = (typeof taxTreatments)[number];

export interface TaxRate {
  readonly name: string;
  readonly ratePpm: bigint;
}

export interface TaxProfile {
  readonly id: string;
  /** The account whose invoices may use the profile (an issuer). */
  readonly ownerAccountId: string;
  readonly name: string;
  readonly treatment: TaxTreatment;
  /** True: the charged prices include the tax. */
  readonly pricesIncludeTax: boolean;
  readonly rates: readonly TaxRate[];
  /** Printed on the invoice: an exemption's reason, a reverse charge's legal text. */
  readonly note: string;
}

export type TaxProfileCode = 'invalid_tax_profile';

const ppmPerWhole = 1_000_000n;

export function checkTaxProfile(profile: TaxProfile): Result<TaxProfile, TaxProfileCode> {
  const bad = (why: string, column: string) =>
    problem('invalid_tax_profile', why, { column });
  if (profile.name.length === 0 || profile.name.length > billingLimits.nameCharsMax) {
    return bad(`name is 1..${billingLimits.nameCharsMax} characters`, 'name');
  }
  if (profile.note.length > billingLimits.noteCharsMax) {
    return bad(`note is at most ${billingLimits.noteCharsMax} characters`, 'note');
  }
  if (profile.rates.length > billingLimits.taxRatesMax) {
    return bad(`at most ${billingLimits.taxRatesMax} rates`, 'rates');
  }
  if (profile.treatment === 'standard' && profile.rates.length === 0) {
    return bad('a standard profile has one rate or more', 'rates');
  }
  if (profile.treatment !== 'standard' && profile.rates.length > 0) {
    return bad(`a ${profile.treatment} profile has no rates`, 'rates');
  }
  if (profile.treatment !== 'standard' && profile.note.trim().length === 0) {
    return bad(`a ${profile.treatment} profile needs a note for the invoice`, 'note');
  }
  const names = new Set<string>();
  for (const rate of profile.rates) {
    if (rate.name.length === 0 || rate.name.length > billingLimits.nameCharsMax) {
      return bad('each rate has a name', 'rates');
    }
    if (names.has(rate.name)) return bad(`rate ${rate.name} is named twice`, 'rates');
    names.add(rate.name);
    if (rate.ratePpm <= 0n || rate.ratePpm >= ppmPerWhole) {
      return bad('each rate is above 0% and below 100%', 'rates');
    }
  }
  return success(profile);
}

/** "8.875" (percent, at most 4 decimals) to parts per million: 88750. */
export function parseRatePercent(text: string): Result<bigint, 'invalid_tax_profile'> {
  const match = /^(\d{1,2})(?:\.(\d{1,4}))?$/.exec(text);
  if (match === null) {
    return problem('invalid_tax_profile', `rate "${text.slice(0, 20)}" is a percent such as ` +
      '20 or 8.875', { column: 'rates' });
  }
  const [, whole = '0', fraction = ''] = match;
  return success(BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0')));
}

/** Parts per million back to a percent text: 88750 to "8.875". */
export function formatRatePercent(ratePpm: bigint): string {
  const whole = ratePpm / 10_000n;
  const fraction = (ratePpm % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return fraction.length === 0 ? whole.toString() : `${whole}.${fraction}`;
}

export { ppmPerWhole };

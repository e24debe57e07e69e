import { assert, assertNever } from '../kernel/assert.ts';
import { micros, type Micros, type RoundingMode } from '../kernel/money.ts';
import { currencyMinorDigits, roundFractionToMinorUnit, roundMicrosToMinorUnit } from
  './currency-units.ts';
import { billingLimits } from './billing-limits.ts';
import { ppmPerWhole, type TaxProfile } from './tax-profile.ts';

/**
 * The arithmetic of one invoice, pure. Each line carries the exact amount the ledger moved
 * (`chargedMicros`, micros as posted) and is rounded once to the currency's minor unit
 * (`amountMicros`); every total is an exact sum of rounded amounts and is never rounded again.
 * The difference between the rounded lines and the ledger (`roundingMicros`) is stated on the
 * invoice, so the invoice both adds up and says exactly what the ledger holds.
 *
 * Taxes: each rate applies to the whole taxable amount and is rounded once, per rate.
 * Exclusive prices: tax = net x rate, total = net + taxes. Inclusive prices: the lines are
 * gross, tax = gross x rate / (1 + sum of rates), net = gross - taxes (so net + taxes = gross
 * exactly). Exempt and reverse charge: no tax, and the profile's note is printed.
 */
export const invoiceLineKinds = [
  'usage', 'recurring', 'one_off', 'adjustment', 'credit',
] as const;
export type InvoiceLineKind = (typeof invoiceLineKinds)[number];

export interface InvoiceLineInput {
  readonly kind: InvoiceLineKind;
  readonly description: string;
  /** The destination prefix of a usage line; null otherwise. */
  readonly prefix: string | null;
  readonly calls: number;
  readonly billedSeconds: number;
  /** Exact, as the ledger moved it: charges minus refunds of the line. */
  readonly chargedMicros: Micros;
}

export interface InvoiceLine extends InvoiceLineInput {
  /** `chargedMicros` rounded once to the minor unit: what the invoice shows and sums. */
  readonly amountMicros: Micros;
}

export interface TaxLine {
  readonly name: string;
  readonly ratePpm: bigint;
  readonly taxMicros: Micros;
}

export interface InvoiceAmounts {
  readonly lines: readonly InvoiceLine[];
  readonly taxLines: readonly TaxLine[];
  /** Sum of the lines' exact ledger amounts. */
  readonly chargedMicros: Micros;
  /** Sum of the rounded lines minus `chargedMicros`. */
  readonly roundingMicros: Micros;
  readonly netMicros: Micros;
  readonly taxMicros: Micros;
  readonly totalMicros: Micros;
  /** The tax profile's note (exemption, reverse charge), or null. */
  readonly taxNote: string | null;
}

export interface InvoiceMathsInput {
  readonly lines: readonly InvoiceLineInput[];
  readonly currency: string;
  /** null: untaxed (no profile applies). */
  readonly taxProfile: TaxProfile | null;
  readonly rounding: RoundingMode;
}

function sum(values: readonly bigint[]): Micros {
  return micros(values.reduce((total, value) => total + value, 0n));
}

export function computeInvoiceAmounts(input: InvoiceMathsInput): InvoiceAmounts {
  assert(input.lines.length <= billingLimits.invoiceLinesMax, 'lines within the bound');
  const lines = input.lines.map((line): InvoiceLine => ({ ...line,
    amountMicros: roundMicrosToMinorUnit(line.chargedMicros, input.currency, input.rounding) }));
  const chargedMicros = sum(lines.map((line) => line.chargedMicros));
  const linesMicros = sum(lines.map((line) => line.amountMicros));
  const { taxLines, netMicros, totalMicros } = applyTax(linesMicros, input);
  const taxMicros = sum(taxLines.map((line) => line.taxMicros));
  assert(netMicros + taxMicros === totalMicros, 'net plus taxes is the total, exactly');
  const halfUnit = 10n ** BigInt(6 - currencyMinorDigits(input.currency)) / 2n;
  const roundingMicros = micros(linesMicros - chargedMicros);
  const roundingBound = halfUnit * 2n * BigInt(lines.length);
  assert(roundingMicros <= roundingBound && -roundingMicros <= roundingBound,
    'rounding moves each line by less than one minor unit');
  const profile = input.taxProfile;
  return { lines, taxLines, chargedMicros, roundingMicros, netMicros, taxMicros, totalMicros,
    taxNote: profile === null || profile.note.length === 0 ? null : profile.note };
}

function applyTax(linesMicros: Micros, input: InvoiceMathsInput): {
  taxLines: TaxLine[]; netMicros: Micros; totalMicros: Micros;
} {
  const profile = input.taxProfile;
  if (profile === null || profile.treatment !== 'standard') {
    return { taxLines: [], netMicros: linesMicros, totalMicros: linesMicros };
  }
  const round = (numerator: bigint, denominator: bigint) => roundFractionToMinorUnit({
    numerator, denominator, currency: input.currency, mode: input.rounding });
  if (profile.pricesIncludeTax) {
    const ratesPpm = profile.rates.reduce((total, rate) => total + rate.ratePpm, 0n);
    const taxLines = profile.rates.map((rate) => ({ name: rate.name, ratePpm: rate.ratePpm,
      taxMicros: round(linesMicros * rate.ratePpm, ppmPerWhole + ratesPpm) }));
    const taxMicros = sum(taxLines.map((line) => line.taxMicros));
    return { taxLines, netMicros: micros(linesMicros - taxMicros), totalMicros: linesMicros };
  }
  const taxLines = profile.rates.map((rate) => ({ name: rate.name, ratePpm: rate.ratePpm,
    taxMicros: round(linesMicros * rate.ratePpm, ppmPerWhole) }));
  const taxMicros = sum(taxLines.map((line) => line.taxMicros));
  return { taxLines, netMicros: linesMicros, totalMicros: micros(linesMicros + taxMicros) };
}

/**
 * The amounts of a credit note that cancels an invoice: the invoice's stored amounts negated,
 * not computed again, so invoice plus credit note is exactly zero whatever the rounding mode.
 */
export function negatedAmounts(amounts: InvoiceAmounts): InvoiceAmounts {
  const negate = (value: Micros) => micros(-value);
  return { ...amounts,
    lines: amounts.lines.map((line) => ({ ...line, kind: 'credit' as const,
      chargedMicros: negate(line.chargedMicros), amountMicros: negate(line.amountMicros) })),
    taxLines: amounts.taxLines.map((line) => ({ ...line, taxMicros: negate(line.taxMicros) })),
    chargedMicros: negate(amounts.chargedMicros), roundingMicros: negate(amounts.roundingMicros),
    netMicros: negate(amounts.netMicros), taxMicros: negate(amounts.taxMicros),
    totalMicros: negate(amounts.totalMicros) };
}

export function lineKindLabel(kind: InvoiceLineKind): string {
  switch (kind) {
    case 'usage': return 'Usage';
    case 'recurring': return 'Recurring charge';
    case 'one_off': return 'One-off charge';
    case 'adjustment': return 'Adjustment';
    case 'credit': return 'Credit';
    default: return assertNever(kind, 'unknown line kind');
  }
}

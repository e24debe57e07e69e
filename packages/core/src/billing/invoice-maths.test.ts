import { describe, expect, it } from 'vitest';
import { formatMicros, micros, type Micros } from '../kernel/money.ts';
import { computeInvoiceAmounts, negatedAmounts, type InvoiceLineInput } from
  './invoice-maths.ts';
import { parseRatePercent, type TaxProfile } from './tax-profile.ts';
import { allocatePayment } from './payment-allocation.ts';

const eur = (value: Micros) => formatMicros(value, 2);
const line = (chargedMicros: bigint, prefix = '49'): InvoiceLineInput => ({ kind: 'usage',
  description: `+${prefix}`, prefix, calls: 1, billedSeconds: 60,
  chargedMicros: micros(chargedMicros) });
const rate = (text: string) => {
  const parsed = parseRatePercent(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};

function profile(pricesIncludeTax: boolean, rates: [string, string][]): TaxProfile {
  return { id: 'vat', ownerAccountId: 'op', name: 'VAT', treatment: 'standard',
    pricesIncludeTax, rates: rates.map(([name, text]) => ({ name, ratePpm: rate(text) })),
    note: '' };
}

describe('invoice maths', () => {
  it('the worked example, exclusive: 33.3333 + 0.004 at 19% is 33.33 + 6.33 = 39.66', () => {
    // Given two lines as the ledger posted them, in micros (4-decimal rated calls)
    const amounts = computeInvoiceAmounts({ lines: [line(33_333_300n), line(4_000n, '44')],
      currency: 'EUR', taxProfile: profile(false, [['VAT', '19']]), rounding: 'half_up' });
    // Then each line is rounded once (33.3333 -> 33.33, 0.004 -> 0.00) and the tax once:
    // 33.33 x 0.19 = 6.3327 -> 6.33
    expect(amounts.lines.map((entry) => eur(entry.amountMicros))).toEqual(['33.33', '0.00']);
    expect(eur(amounts.netMicros)).toBe('33.33');
    expect(amounts.taxLines.map((tax) => [tax.name, eur(tax.taxMicros)])).toEqual(
      [['VAT', '6.33']]);
    expect(eur(amounts.totalMicros)).toBe('39.66');
    // And the ledger's exact amount and the rounding are both stated
    expect(amounts.chargedMicros).toBe(33_337_300n);
    expect(amounts.roundingMicros).toBe(33_330_000n - 33_337_300n);
  });

  it('the worked example, inclusive: 39.66 gross at 19% holds 6.33 tax, net 33.33', () => {
    // 39.66 x 0.19 / 1.19 = 6.33226... -> 6.33; net = 39.66 - 6.33
    const amounts = computeInvoiceAmounts({ lines: [line(39_660_000n)], currency: 'EUR',
      taxProfile: profile(true, [['VAT', '19']]), rounding: 'half_up' });
    expect([eur(amounts.netMicros), eur(amounts.taxMicros), eur(amounts.totalMicros)])
      .toEqual(['33.33', '6.33', '39.66']);
  });

  it('two named rates side by side, exclusive: 100.00 at 4% state and 4.875% city', () => {
    const amounts = computeInvoiceAmounts({ lines: [line(100_000_000n)], currency: 'USD',
      taxProfile: profile(false, [['State', '4'], ['City', '4.875']]), rounding: 'half_up' });
    // 4.875 -> 4.88 (half up), 4.00; total 108.88
    expect(amounts.taxLines.map((tax) => eur(tax.taxMicros))).toEqual(['4.00', '4.88']);
    expect(eur(amounts.totalMicros)).toBe('108.88');
  });

  it('two named rates, inclusive: the taxes come out of the gross, net + taxes = gross', () => {
    const amounts = computeInvoiceAmounts({ lines: [line(108_880_000n)], currency: 'USD',
      taxProfile: profile(true, [['State', '4'], ['City', '4.875']]), rounding: 'half_up' });
    expect(amounts.taxLines.map((tax) => eur(tax.taxMicros))).toEqual(['4.00', '4.88']);
    expect(eur(amounts.netMicros)).toBe('100.00');
  });

  it('exempt and reverse charge: no tax, the note is printed', () => {
    for (const treatment of ['exempt', 'reverse_charge'] as const) {
      const amounts = computeInvoiceAmounts({ lines: [line(10_000_000n)], currency: 'EUR',
        taxProfile: { id: 'x', ownerAccountId: 'op', name: 'x', treatment,
          pricesIncludeTax: false, rates: [], note: `note ${treatment}` }, rounding: 'half_up' });
      expect([amounts.taxMicros, amounts.totalMicros, amounts.taxNote])
        .toEqual([0n, 10_000_000n, `note ${treatment}`]);
    }
  });

  it('the rounding mode is explicit: down keeps 0.009 at 0.00, up makes it 0.01', () => {
    const down = computeInvoiceAmounts({ lines: [line(9_000n)], currency: 'USD',
      taxProfile: null, rounding: 'down' });
    const up = computeInvoiceAmounts({ lines: [line(9_000n)], currency: 'USD',
      taxProfile: null, rounding: 'up' });
    expect([down.totalMicros, up.totalMicros]).toEqual([0n, 10_000n]);
  });

  it('a yen invoice rounds to whole yen; a credit note is the exact negation', () => {
    const amounts = computeInvoiceAmounts({ lines: [line(1_500_000n)], currency: 'JPY',
      taxProfile: profile(false, [['JCT', '10']]), rounding: 'half_even' });
    // 1.5 -> 2 (half even), tax 0.2 -> 0
    expect([amounts.netMicros, amounts.taxMicros]).toEqual([2_000_000n, 0n]);
    const credit = negatedAmounts(amounts);
    expect(credit.totalMicros + amounts.totalMicros).toBe(0n);
    expect(credit.lines[0]!.kind).toBe('credit');
  });
});

describe('payment allocation', () => {
  const open = [
    { invoiceId: 'b', issuedAtMs: 2, sequence: 2, openMicros: micros(5_000_000n) },
    { invoiceId: 'a', issuedAtMs: 1, sequence: 1, openMicros: micros(3_000_000n) },
  ];

  it('oldest first, the rest is credit', () => {
    const plan = allocatePayment({ amountMicros: micros(10_000_000n), openInvoices: open,
      namedInvoiceIds: null });
    expect(plan.allocations).toEqual([{ invoiceId: 'a', amountMicros: 3_000_000n },
      { invoiceId: 'b', amountMicros: 5_000_000n }]);
    expect(plan.creditMicros).toBe(2_000_000n);
  });

  it('named invoices only, partly', () => {
    const plan = allocatePayment({ amountMicros: micros(4_000_000n), openInvoices: open,
      namedInvoiceIds: ['b'] });
    expect(plan.allocations).toEqual([{ invoiceId: 'b', amountMicros: 4_000_000n }]);
    expect(plan.creditMicros).toBe(0n);
  });
});

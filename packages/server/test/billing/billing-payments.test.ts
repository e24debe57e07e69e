import {
  closeAccountPeriod,
  creditInvoice,
  micros,
  putBillingSettings,
  putTaxProfile,
  recordBillingPayment,
  statusAt,
  type Invoice,
} from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { account, balances, storeKinds } from '../charging/charging-harness.ts';
import { openBillingHarness, type BillingHarness } from './billing-harness.ts';
import { addCentDeck, call } from './billing-kit.ts';

// Payments against invoices and credit notes, on both stores: the money moves through the
// ledger's payment and refund use cases; bad input answers a clear code and moves nothing.
// Sign convention: a postpaid balance is minus what is owed.
const novStartMs = Date.parse('2026-11-01T00:00:00Z');
const dollars = (text: string) => micros(BigInt(Math.round(Number(text) * 100)) * 10_000n);

describe.each(storeKinds)('payments and credit notes on %s', (kind) => {
  let harness: BillingHarness;
  afterEach(async () => {
    await harness.close();
  });

  /** A customer under the root with 3 calls of 2 minutes at 0.50 in October: 3.00. */
  async function octoberInvoice(customerId: string, options = { existing: false }):
    Promise<Invoice> {
    if (!options.existing) {
      await account(harness, { id: customerId, tier: 'customer', parentId: 'op',
        mode: 'postpaid', creditLimit: '100', deck: 'retail' });
    }
    for (const day of [3, 9, 27]) {
      await call(harness, { sessionId: `${customerId}-${day}`, accountId: customerId,
        callee: '44207000', startText: `2026-10-${String(day).padStart(2, '0')}T09:00:00Z`,
        seconds: 100 });
    }
    harness.clock.setMs(novStartMs + 10 * 60_000);
    const closed = await closeAccountPeriod(harness.billing, { accountId: customerId });
    expect(closed.ok).toBe(true);
    return closed.ok ? closed.value : (undefined as never);
  }

  async function open() {
    harness = await openBillingHarness(kind, { startMs: Date.parse('2026-10-01T00:00:00Z'),
      charging: { sliceSeconds: 600 } });
    addCentDeck(harness, 'carrier', { 44: '0.10' });
    addCentDeck(harness, 'retail', { 44: '0.50' });
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null,
      deck: 'carrier' });
  }

  const pay = (reference: string, amount: string, extra: { currency?: string;
    invoiceIds?: string[] } = {}) => recordBillingPayment(harness.billing, { accountId: 'cu',
    method: 'bank_transfer', reference, currency: extra.currency ?? 'USD',
    amountMicros: amount.startsWith('-') ? micros(-dollars(amount.slice(1))) : dollars(amount),
    receivedAtMs: harness.clock.nowMs(), ...(extra.invoiceIds === undefined ? {}
      : { invoiceIds: extra.invoiceIds }) });

  it('bad payments move nothing; partial, replayed and overpaid payments settle in order',
    async () => {
      await open();
      const invoice = await octoberInvoice('cu');
      expect(invoice.amounts.totalMicros).toBe(dollars('3.00'));
      // The sign convention: the invoice is owed, the balance is minus it
      expect((await balances(harness, 'cu')).postedMicros).toBe(-dollars('3.00'));
      for (const [attempt, code] of [[pay('r0', '1.00', { currency: 'EUR' }),
        'payment_currency_mismatch'], [pay('r0', '0'), 'payment_amount_not_positive'],
      [pay('r0', '-1.00'), 'payment_amount_not_positive']] as const) {
        expect(await attempt).toMatchObject({ ok: false, code });
      }
      expect((await balances(harness, 'cu')).postedMicros).toBe(-dollars('3.00'));
      // A partial payment
      const first = await pay('r1', '1.20');
      expect(first).toMatchObject({ ok: true, value: { replayed: false,
        payment: { allocations: [{ invoiceId: invoice.id, amountMicros: dollars('1.20') }],
          creditMicros: 0n } } });
      expect((await harness.billing.store.findInvoice(invoice.id))!.status)
        .toBe('partially_paid');
      // The same reference again: the stored payment, no money moves
      expect(await pay('r1', '1.20')).toMatchObject({ ok: true, value: { replayed: true } });
      // The same reference with another amount: refused, nothing moves
      expect(await pay('r1', '2.00')).toMatchObject({ ok: false,
        code: 'payment_reference_reused' });
      expect((await balances(harness, 'cu')).postedMicros).toBe(-dollars('1.80'));
      // The rest and 5.00 more: the invoice is paid, the 5.00 stays as credit
      const second = await pay('r2', '6.80');
      expect(second).toMatchObject({ ok: true, value: { payment: {
        allocations: [{ invoiceId: invoice.id, amountMicros: dollars('1.80') }],
        creditMicros: dollars('5.00') } } });
      const paid = (await harness.billing.store.findInvoice(invoice.id))!;
      expect([paid.status, paid.paidMicros]).toEqual(['paid', dollars('3.00')]);
      expect((await balances(harness, 'cu')).postedMicros).toBe(dollars('5.00'));
      // A paid invoice is not voided
      expect(await creditInvoice(harness.billing, invoice.id)).toMatchObject({ ok: false,
        code: 'invoice_not_voidable' });
    });

  it('a taxed invoice paid in full leaves the balance at zero: the tax is not credit',
    async () => {
      await open();
      expect(await putTaxProfile(harness.billing, { id: 'vat', ownerAccountId: 'op',
        name: 'VAT', treatment: 'standard', pricesIncludeTax: false,
        rates: [{ name: 'VAT 20%', ratePpm: 200_000n }], note: '' })).toMatchObject({ ok: true });
      await account(harness, { id: 'cu', tier: 'customer', parentId: 'op', mode: 'postpaid',
        creditLimit: '100', deck: 'retail' });
      expect(await putBillingSettings(harness.billing, { accountId: 'cu', cycle: null,
        paymentTermsDays: null, taxProfileId: 'vat', invoicePrefix: null, legalName: null,
        address: null, taxId: null })).toMatchObject({ ok: true });
      const invoice = await octoberInvoice('cu', { existing: true });
      expect([invoice.amounts.chargedMicros, invoice.amounts.taxMicros,
        invoice.amounts.totalMicros]).toEqual([dollars('3.00'), dollars('0.60'),
        dollars('3.60')]);
      // Paid in two parts: each settles its share of the charges (3.00 of 3.60), the rest is
      // the tax collected for the authority and leaves the account again.
      expect(await pay('t1', '1.20')).toMatchObject({ ok: true });
      expect((await balances(harness, 'cu')).postedMicros).toBe(-dollars('2.00'));
      expect(await pay('t1', '1.20')).toMatchObject({ ok: true, value: { replayed: true } });
      expect((await balances(harness, 'cu')).postedMicros).toBe(-dollars('2.00'));
      expect(await pay('t2', '2.40')).toMatchObject({ ok: true });
      expect((await balances(harness, 'cu')).postedMicros).toBe(0n);
      const paid = (await harness.billing.store.findInvoice(invoice.id))!;
      expect([paid.status, paid.paidMicros]).toEqual(['paid', dollars('3.60')]);
      // Money beyond the invoices is credit, whole.
      expect(await pay('t3', '1.00')).toMatchObject({ ok: true });
      expect((await balances(harness, 'cu')).postedMicros).toBe(dollars('1.00'));
      const verified = await harness.ledger.verifyLedger();
      expect(verified.ok && verified.value.findingCount).toBe(0);
    });

  it('an unpaid invoice is overdue after its terms; a credit note voids it and refunds',
    async () => {
      await open();
      const invoice = await octoberInvoice('cu');
      expect(statusAt(invoice, invoice.dueAtMs - 1)).toBe('issued');
      expect(statusAt(invoice, invoice.dueAtMs)).toBe('overdue');
      const credited = await creditInvoice(harness.billing, invoice.id);
      expect(credited.ok).toBe(true);
      if (!credited.ok) return;
      const { creditNote, invoice: voided } = credited.value;
      expect(voided.status).toBe('void');
      expect(voided.creditedByInvoiceId).toBe(creditNote.id);
      expect(creditNote.amounts.totalMicros).toBe(-invoice.amounts.totalMicros);
      expect(creditNote.number).toBe('INV-2026-000002');
      // The refunds went through the ledger: nothing is owed any more
      expect((await balances(harness, 'cu')).postedMicros).toBe(0n);
      expect(await creditInvoice(harness.billing, invoice.id)).toMatchObject({ ok: false,
        code: 'invoice_not_voidable' });
      // November's invoice does not count the refunds again: they are the credit note's
      await call(harness, { sessionId: 'cu-nov', accountId: 'cu', callee: '44207000',
        startText: '2026-11-15T09:00:00Z', seconds: 100 });
      harness.clock.setMs(Date.parse('2026-12-01T00:10:00Z'));
      const november = await closeAccountPeriod(harness.billing, { accountId: 'cu' });
      expect(november).toMatchObject({ ok: true, value: { periodKey: '2026-11-01',
        status: 'issued', amounts: { totalMicros: dollars('1.00') } } });
    });
});

import {
  formatMicros,
  formatRatePercent,
  micros,
  statusAt,
  type BillingCycle,
  type BillingSettings,
  type EffectiveBillingSettings,
  type Invoice,
  type Payment,
  type TaxProfile,
} from '@tollgate/core';
import { formatMoney } from '../http/convert.ts';

/**
 * Billing's API words. Tax profile ids are chosen by their owner, so two owners may both have
 * a "vat": stored as `<owner>:<id>`, shown bare.
 */
export function storedTaxProfileId(ownerAccountId: string, id: string): string {
  return `${ownerAccountId}:${id}`;
}

export function bareTaxProfileId(stored: string): string {
  return stored.slice(stored.lastIndexOf(':') + 1);
}

const iso = (ms: number) => new Date(ms).toISOString();

function toApiCycle(cycle: BillingCycle) {
  return { kind: cycle.kind,
    anchor_day: cycle.kind === 'monthly' ? cycle.anchorDay : null,
    anchor_weekday: cycle.kind === 'weekly' ? cycle.anchorWeekday : null };
}

export function toApiSettings(own: BillingSettings, effective: EffectiveBillingSettings) {
  return {
    own: { cycle: own.cycle === null ? null : toApiCycle(own.cycle),
      payment_terms_days: own.paymentTermsDays,
      tax_profile_id: own.taxProfileId === null ? null : bareTaxProfileId(own.taxProfileId),
      invoice_prefix: own.invoicePrefix, legal_name: own.legalName, address: own.address,
      tax_id: own.taxId },
    effective: { cycle: toApiCycle(effective.cycle),
      cycle_from_account_id: effective.cycleFromAccountId,
      payment_terms_days: effective.paymentTermsDays,
      tax_profile_id: effective.taxProfileId === null ? null
        : bareTaxProfileId(effective.taxProfileId) },
  };
}

export function toApiTaxProfile(profile: TaxProfile) {
  return { id: bareTaxProfileId(profile.id), owner_account_id: profile.ownerAccountId,
    name: profile.name, treatment: profile.treatment,
    prices_include_tax: profile.pricesIncludeTax, note: profile.note,
    rates: profile.rates.map((rate) => ({ name: rate.name,
      percent: formatRatePercent(rate.ratePpm) })) };
}

/** An invoice as the API shows it at `nowMs` (overdue is derived then). */
export function toApiInvoice(invoice: Invoice, nowMs: number) {
  const { amounts } = invoice;
  const open = invoice.kind === 'invoice' && invoice.status !== 'void'
    ? amounts.totalMicros - invoice.paidMicros : 0n;
  const party = (entry: Invoice['issuer']) => ({ account_id: entry.accountId, name: entry.name,
    address: entry.address, tax_id: entry.taxId });
  return {
    id: invoice.id, kind: invoice.kind, number: invoice.number,
    status: statusAt(invoice, nowMs), issuer: party(invoice.issuer),
    recipient: party(invoice.recipient), credits_invoice_id: invoice.creditsInvoiceId,
    credited_by_invoice_id: invoice.creditedByInvoiceId,
    period: { key: invoice.periodKey, start: iso(invoice.periodStartMs),
      end: iso(invoice.periodEndMs) },
    currency: invoice.currency, issued_at: iso(invoice.issuedAtMs), due_at: iso(invoice.dueAtMs),
    lines: amounts.lines.map((line) => ({ kind: line.kind, prefix: line.prefix,
      description: line.description, calls: line.calls, billed_seconds: line.billedSeconds,
      charged: formatMoney(line.chargedMicros), amount: formatMoney(line.amountMicros) })),
    taxes: amounts.taxLines.map((line) => ({ name: line.name,
      percent: formatRatePercent(line.ratePpm), tax: formatMoney(line.taxMicros) })),
    tax_note: amounts.taxNote, charged: formatMoney(amounts.chargedMicros),
    rounding: formatMoney(amounts.roundingMicros), net: formatMoney(amounts.netMicros),
    tax: formatMoney(amounts.taxMicros), total: formatMoney(amounts.totalMicros),
    paid: formatMoney(invoice.paidMicros), open: formatMoney(micros(open)),
    transfer_count: invoice.transferIds.length,
  };
}

/** The lines of an invoice as CSV, amounts with all six decimals (exact). */
export function invoiceLinesCsv(invoice: Invoice): string {
  const quote = (text: string) => /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  const rows = invoice.amounts.lines.map((line) => [line.kind, line.prefix ?? '',
    quote(line.description), String(line.calls), String(line.billedSeconds),
    formatMicros(line.chargedMicros, 6), formatMicros(line.amountMicros, 6)].join(','));
  return `kind,prefix,description,calls,billed_seconds,charged,amount\n${rows.join('\n')}\n`;
}

export function toApiPayment(payment: Payment, replayed: boolean) {
  return { id: payment.id, account_id: payment.accountId, method: payment.method,
    reference: payment.reference, currency: payment.currency,
    amount: formatMoney(payment.amountMicros), credit: formatMoney(payment.creditMicros),
    received_at: iso(payment.receivedAtMs), transfer_id: payment.transferId.toString(),
    allocations: payment.allocations.map((allocation) => ({ invoice_id: allocation.invoiceId,
      amount: formatMoney(allocation.amountMicros) })), replayed };
}

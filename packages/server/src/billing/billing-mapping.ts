import {
  micros,
  type BillingCycle,
  type BillingSettings,
  type Invoice,
  type InvoiceKind,
  type InvoiceLine,
  type InvoiceLineKind,
  type InvoiceParty,
  type InvoiceStatus,
  type Payment,
  type PaymentMethod,
  type TaxLine,
  type TaxProfile,
  type TaxTreatment,
} from '@tollgate/core';

/**
 * Row <-> domain conversion of the billing tables: the only place that knows their column
 * names as well as the domain's. Money columns are BIGINT micros; JSON documents hold
 * amounts as decimal strings of micros (JSON has no bigint).
 */
type DbNumber = number | bigint;

export interface SettingsRow {
  account_id: string; cycle_kind: string | null; anchor_day: DbNumber | null;
  anchor_weekday: DbNumber | null; payment_terms_days: DbNumber | null;
  tax_profile_id: string | null; invoice_prefix: string | null; legal_name: string | null;
  address: string | null; tax_id: string | null; updated_at_ms: DbNumber;
}

const numberOrNull = (value: DbNumber | null) => value === null ? null : Number(value);

function cycleOf(row: SettingsRow): BillingCycle | null {
  if (row.cycle_kind === 'daily') return { kind: 'daily' };
  if (row.cycle_kind === 'weekly') return { kind: 'weekly',
    anchorWeekday: Number(row.anchor_weekday) };
  if (row.cycle_kind === 'monthly') return { kind: 'monthly', anchorDay: Number(row.anchor_day) };
  return null;
}

export function fromDbSettings(row: SettingsRow): BillingSettings {
  return { accountId: row.account_id, cycle: cycleOf(row),
    paymentTermsDays: numberOrNull(row.payment_terms_days), taxProfileId: row.tax_profile_id,
    invoicePrefix: row.invoice_prefix, legalName: row.legal_name, address: row.address,
    taxId: row.tax_id, updatedAtMs: Number(row.updated_at_ms) };
}

export function toDbSettings(settings: BillingSettings): unknown[] {
  const cycle = settings.cycle;
  return [settings.accountId, cycle?.kind ?? null,
    cycle?.kind === 'monthly' ? cycle.anchorDay : null,
    cycle?.kind === 'weekly' ? cycle.anchorWeekday : null, settings.paymentTermsDays,
    settings.taxProfileId, settings.invoicePrefix, settings.legalName, settings.address,
    settings.taxId, settings.updatedAtMs];
}

export interface TaxProfileRow {
  id: string; owner_account_id: string; name: string; treatment: string;
  prices_include_tax: DbNumber; rates_json: string; note: string;
}

export function fromDbTaxProfile(row: TaxProfileRow): TaxProfile {
  const rates = JSON.parse(row.rates_json) as { name: string; rate_ppm: string }[];
  return { id: row.id, ownerAccountId: row.owner_account_id, name: row.name,
    treatment: row.treatment as TaxTreatment, pricesIncludeTax: Number(row.prices_include_tax)
      === 1, rates: rates.map((rate) => ({ name: rate.name, ratePpm: BigInt(rate.rate_ppm) })),
    note: row.note };
}

export function toDbTaxProfile(profile: TaxProfile): unknown[] {
  return [profile.id, profile.ownerAccountId, profile.name, profile.treatment,
    profile.pricesIncludeTax ? 1 : 0, JSON.stringify(profile.rates.map((rate) =>
      ({ name: rate.name, rate_ppm: rate.ratePpm.toString() }))), profile.note];
}

export interface InvoiceRow {
  id: string; kind: string; number: string; issuer_id: string; account_id: string;
  sequence_year: DbNumber; sequence: DbNumber; credits_invoice_id: string | null;
  credited_by_invoice_id: string | null; period_start_ms: DbNumber; period_end_ms: DbNumber;
  period_key: string; currency: string; status: string; issued_at_ms: DbNumber;
  due_at_ms: DbNumber; charged_micros: DbNumber; rounding_micros: DbNumber;
  net_micros: DbNumber; tax_micros: DbNumber; total_micros: DbNumber; paid_micros: DbNumber;
  document_json: string;
}

export interface LineRow {
  invoice_id: string; line_index: DbNumber; kind: string; prefix: string | null;
  description: string; calls: DbNumber; billed_seconds: DbNumber; charged_micros: DbNumber;
  amount_micros: DbNumber;
}

interface InvoiceDocument {
  issuer: InvoiceParty;
  recipient: InvoiceParty;
  tax_lines: { name: string; rate_ppm: string; tax_micros: string }[];
  tax_note: string | null;
  number_prefix: string;
}

export const invoiceColumns = ['id', 'kind', 'number', 'issuer_id', 'account_id',
  'sequence_year', 'sequence', 'credits_invoice_id', 'credited_by_invoice_id',
  'period_start_ms', 'period_end_ms', 'period_key', 'currency', 'status', 'issued_at_ms',
  'due_at_ms', 'charged_micros', 'rounding_micros', 'net_micros', 'tax_micros', 'total_micros',
  'paid_micros', 'document_json'] as const;

export function toDbInvoice(invoice: Invoice): unknown[] {
  const { amounts } = invoice;
  const document: InvoiceDocument = { issuer: invoice.issuer, recipient: invoice.recipient,
    tax_lines: amounts.taxLines.map((line) => ({ name: line.name,
      rate_ppm: line.ratePpm.toString(), tax_micros: line.taxMicros.toString() })),
    tax_note: amounts.taxNote, number_prefix: invoice.numberPrefix };
  return [invoice.id, invoice.kind, invoice.number, invoice.issuer.accountId,
    invoice.recipient.accountId, invoice.sequenceYear, invoice.sequence,
    invoice.creditsInvoiceId, invoice.creditedByInvoiceId, invoice.periodStartMs,
    invoice.periodEndMs, invoice.periodKey, invoice.currency, invoice.status,
    invoice.issuedAtMs, invoice.dueAtMs, amounts.chargedMicros, amounts.roundingMicros,
    amounts.netMicros, amounts.taxMicros, amounts.totalMicros, invoice.paidMicros,
    JSON.stringify(document)];
}

export function toDbLine(invoiceId: string, index: number, line: InvoiceLine): unknown[] {
  return [invoiceId, index, line.kind, line.prefix, line.description, line.calls,
    line.billedSeconds, line.chargedMicros, line.amountMicros];
}

function fromDbLine(row: LineRow): InvoiceLine {
  return { kind: row.kind as InvoiceLineKind, prefix: row.prefix, description: row.description,
    calls: Number(row.calls), billedSeconds: Number(row.billed_seconds),
    chargedMicros: micros(BigInt(row.charged_micros)),
    amountMicros: micros(BigInt(row.amount_micros)) };
}

export function fromDbInvoice(row: InvoiceRow, lines: readonly LineRow[],
  transferIds: readonly bigint[]): Invoice {
  const document = JSON.parse(row.document_json) as InvoiceDocument;
  const taxLines: TaxLine[] = document.tax_lines.map((line) => ({ name: line.name,
    ratePpm: BigInt(line.rate_ppm), taxMicros: micros(BigInt(line.tax_micros)) }));
  const money = (value: DbNumber) => micros(BigInt(value));
  return { id: row.id, kind: row.kind as InvoiceKind, number: row.number,
    issuer: document.issuer, recipient: document.recipient,
    sequenceYear: Number(row.sequence_year), sequence: Number(row.sequence),
    creditsInvoiceId: row.credits_invoice_id, creditedByInvoiceId: row.credited_by_invoice_id,
    periodStartMs: Number(row.period_start_ms), periodEndMs: Number(row.period_end_ms),
    periodKey: row.period_key, currency: row.currency, status: row.status as InvoiceStatus,
    issuedAtMs: Number(row.issued_at_ms), dueAtMs: Number(row.due_at_ms),
    numberPrefix: document.number_prefix, paidMicros: money(row.paid_micros), transferIds,
    amounts: { lines: lines.map(fromDbLine), taxLines, chargedMicros: money(row.charged_micros),
      roundingMicros: money(row.rounding_micros), netMicros: money(row.net_micros),
      taxMicros: money(row.tax_micros), totalMicros: money(row.total_micros),
      taxNote: document.tax_note } };
}

export interface PaymentRow {
  id: string; account_id: string; reference: string; method: string; currency: string;
  amount_micros: DbNumber; credit_micros: DbNumber; received_at_ms: DbNumber;
  transfer_id: DbNumber; created_at_ms: DbNumber;
}

export function toDbPayment(payment: Payment): unknown[] {
  return [payment.id, payment.accountId, payment.reference, payment.method, payment.currency,
    payment.amountMicros, payment.creditMicros, payment.receivedAtMs, payment.transferId,
    payment.createdAtMs];
}

export function fromDbPayment(row: PaymentRow,
  allocations: readonly { invoice_id: string; amount_micros: DbNumber }[]): Payment {
  return { id: row.id, accountId: row.account_id, reference: row.reference,
    method: row.method as PaymentMethod, currency: row.currency,
    amountMicros: micros(BigInt(row.amount_micros)),
    creditMicros: micros(BigInt(row.credit_micros)), receivedAtMs: Number(row.received_at_ms),
    transferId: BigInt(row.transfer_id), createdAtMs: Number(row.created_at_ms),
    allocations: allocations.map((allocation) => ({ invoiceId: allocation.invoice_id,
      amountMicros: micros(BigInt(allocation.amount_micros)) })) };
}

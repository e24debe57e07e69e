import { assert } from '../kernel/assert.ts';

/**
 * The life of an invoice: `draft` (built, not yet numbered or sent) -> `issued` (numbered,
 * owed) -> `partially_paid` / `paid` as payments are allocated, `overdue` past the due date
 * while something is still owed, `void` only when a credit note cancels it. A credit note is
 * itself a document with a number; it is `issued` and never paid.
 */
export const invoiceStatuses = [
  'draft', 'issued', 'partially_paid', 'paid', 'overdue', 'void',
] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

export const invoiceKinds = ['invoice', 'credit_note'] as const;
export type InvoiceKind = (typeof invoiceKinds)[number];

/**
 * The status an issued invoice has from what was paid of it and the time: derived, never set
 * by hand, so that a payment and the overdue clock cannot disagree.
 */
export function settledStatus(options: {
  totalMicros: bigint;
  paidMicros: bigint;
  dueAtMs: number;
  nowMs: number;
}): InvoiceStatus {
  const { totalMicros, paidMicros, dueAtMs, nowMs } = options;
  assert(paidMicros >= 0n && paidMicros <= (totalMicros > 0n ? totalMicros : 0n),
    'an invoice is never paid beyond its total');
  if (paidMicros === totalMicros || totalMicros <= 0n) return 'paid';
  if (nowMs >= dueAtMs) return 'overdue';
  return paidMicros > 0n ? 'partially_paid' : 'issued';
}

/** Statuses an invoice still owes money in. */
export function isOpenStatus(status: InvoiceStatus): boolean {
  return status === 'issued' || status === 'partially_paid' || status === 'overdue';
}

/**
 * The status an invoice shows at `nowMs`: `overdue` is not stored (nothing has to run for an
 * invoice to become overdue), it is an open invoice read past its due date.
 */
export function statusAt(invoice: { status: InvoiceStatus; dueAtMs: number }, nowMs: number):
  InvoiceStatus {
  if ((invoice.status === 'issued' || invoice.status === 'partially_paid') &&
    nowMs >= invoice.dueAtMs) {
    return 'overdue';
  }
  return invoice.status;
}

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

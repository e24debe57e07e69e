import { micros } from '../kernel/money.ts';
import type { TransferId } from '../ledger/transfer.ts';
import type { BillingDeps } from './billing-deps.ts';
import { billingProblem, type BillingResult } from './billing-problem.ts';
import type { Invoice } from './invoice.ts';
import { negatedAmounts } from './invoice-maths.ts';

/**
 * Voids an invoice the only way there is: a credit note. The money goes back through the
 * ledger's refund use case (every charge the invoice covers, less what the invoice already
 * netted as refunds; idempotent per charge, so a retry after a crash refunds nothing twice),
 * and the credit note covers those refunds, so no later invoice counts them again. Only an
 * issued invoice with nothing paid is voided; a paid one needs its payment handled first.
 */
export async function creditInvoice(deps: BillingDeps, invoiceId: string):
  Promise<BillingResult<{ creditNote: Invoice; invoice: Invoice }>> {
  const invoice = await deps.store.findInvoice(invoiceId);
  if (invoice === null) return billingProblem('invoice_not_found', `no invoice ${invoiceId}`);
  if (invoice.kind !== 'invoice' || invoice.status !== 'issued' || invoice.paidMicros !== 0n) {
    return billingProblem('invoice_not_voidable', `invoice ${invoiceId} is ${invoice.status}` +
      (invoice.paidMicros > 0n ? ' with payments' : ''), { invoiceId });
  }
  const transfers = await deps.store.listInvoiceTransfers(invoiceId);
  const netted = new Map<bigint, bigint>();
  for (const transfer of transfers) {
    if (transfer.kind !== 'refund' || transfer.reversesTransferId === null) continue;
    netted.set(transfer.reversesTransferId,
      (netted.get(transfer.reversesTransferId) ?? 0n) + transfer.amountMicros);
  }
  const refundIds: bigint[] = [];
  for (const charge of transfers) {
    if (charge.kind !== 'charge') continue;
    const leftMicros = charge.amountMicros - (netted.get(charge.id) ?? 0n);
    if (leftMicros <= 0n) continue;
    const refunded = await deps.ledger.refund({ transferId: charge.id as TransferId,
      amountMicros: micros(leftMicros), reference: `credit-note:${invoiceId}`,
      idempotencyKey: `credit-note:${invoiceId}:${charge.id}` });
    if (!refunded.ok) {
      return billingProblem('invoice_not_voidable', `refund of transfer ${charge.id}: ` +
        `${refunded.code}`, { invoiceId });
    }
    refundIds.push(...refunded.value.transfers.map((transfer) => transfer.id));
  }
  const nowMs = deps.clock.nowMs();
  const inserted = await deps.store.insertCreditNote({ ...invoice, id: `cn-${invoice.id}`,
    kind: 'credit_note', creditsInvoiceId: invoice.id, amounts: negatedAmounts(invoice.amounts),
    issuedAtMs: nowMs, dueAtMs: nowMs, transferIds: refundIds });
  if (inserted.status === 'not_voidable') {
    return billingProblem('invoice_not_voidable', `invoice ${invoiceId} changed meanwhile`,
      { invoiceId });
  }
  const voided = await deps.store.findInvoice(invoiceId);
  return { ok: true, value: { creditNote: inserted.invoice, invoice: voided! } };
}

import { micros, type Micros } from '../kernel/money.ts';
import { billingLimits } from './billing-limits.ts';
import type { BillingDeps } from './billing-deps.ts';
import { billingProblem, type BillingResult } from './billing-problem.ts';
import { allocatePayment } from './payment-allocation.ts';
import { paymentMethods, type Payment, type PaymentMethod } from './payment.ts';

export interface RecordPaymentInput {
  readonly accountId: string;
  readonly method: string;
  readonly reference: string;
  readonly currency: string;
  readonly amountMicros: Micros;
  readonly receivedAtMs: number;
  /** Invoices to settle, in this order; absent: the oldest open invoices first. */
  readonly invoiceIds?: readonly string[];
}

export interface PaymentOutcome {
  readonly payment: Payment;
  readonly replayed: boolean;
}

/**
 * Records money received from an account. The money moves through the ledger's payment use
 * case (world -> the account's main book), idempotent by the payment's reference: a retry with
 * the same reference and amount answers the stored payment; the same reference with another
 * amount or currency is `payment_reference_reused` and moves nothing. Then the payment is
 * allocated to open invoices; the rest stays as credit.
 */
export async function recordBillingPayment(deps: BillingDeps, input: RecordPaymentInput):
  Promise<BillingResult<PaymentOutcome>> {
  const invalid = checkPaymentInput(input);
  if (invalid !== null) return invalid;
  const view = await deps.ledger.getAccount(input.accountId);
  if (!view.ok) {
    return billingProblem('account_not_found', `no account ${input.accountId}`,
      { accountId: input.accountId });
  }
  if (view.value.account.currency !== input.currency) {
    return billingProblem('payment_currency_mismatch', `${input.accountId} pays in ` +
      `${view.value.account.currency}, not ${input.currency}`, { accountId: input.accountId });
  }
  const stored = await deps.store.findPayment(input.accountId, input.reference);
  if (stored !== null) return replayOf(stored, input);
  const posted = await deps.ledger.recordPayment({ accountId: input.accountId,
    currency: input.currency, amountMicros: input.amountMicros,
    reference: `payment:${input.reference}`,
    idempotencyKey: `payment:${input.accountId}:${input.reference}` });
  if (!posted.ok) {
    if (posted.code === 'idempotency_key_reused') {
      return billingProblem('payment_reference_reused', `reference ${input.reference} was ` +
        'recorded with another amount');
    }
    return billingProblem('invalid_payment', `${posted.code}: ${posted.message}`);
  }
  const [transfer] = posted.value.transfers;
  const nowMs = deps.clock.nowMs();
  const payment: Payment = { id: `pay-${input.accountId}-${input.reference}`,
    accountId: input.accountId, method: input.method as PaymentMethod,
    reference: input.reference, currency: input.currency, amountMicros: input.amountMicros,
    receivedAtMs: input.receivedAtMs, transferId: transfer!.id, allocations: [],
    creditMicros: micros(0n), createdAtMs: nowMs };
  const saved = await deps.store.insertPayment(payment, (open) => allocatePayment({
    amountMicros: input.amountMicros, openInvoices: open,
    namedInvoiceIds: input.invoiceIds ?? null }));
  return { ok: true, value: { payment: saved, replayed: false } };
}

function checkPaymentInput(input: RecordPaymentInput) {
  if (typeof input.amountMicros !== 'bigint' || input.amountMicros <= 0n) {
    return billingProblem('payment_amount_not_positive', 'a payment is a positive amount');
  }
  if (!(paymentMethods as readonly string[]).includes(input.method)) {
    return billingProblem('invalid_payment', `method is one of ${paymentMethods.join(', ')}`);
  }
  if (input.reference.length === 0 || input.reference.length > billingLimits.referenceCharsMax
    || !/^[\x21-\x7e]+$/.test(input.reference)) {
    return billingProblem('invalid_payment', `reference is 1..${billingLimits.referenceCharsMax}` +
      ' printable ASCII characters without spaces');
  }
  if (input.invoiceIds !== undefined && input.invoiceIds.length >
    billingLimits.allocationInvoicesMax) {
    return billingProblem('invalid_payment', 'too many invoices named');
  }
  return null;
}

function replayOf(stored: Payment, input: RecordPaymentInput): BillingResult<PaymentOutcome> {
  if (stored.amountMicros !== input.amountMicros || stored.currency !== input.currency) {
    return billingProblem('payment_reference_reused', `reference ${input.reference} was ` +
      'recorded with another amount', { requestedMicros: input.amountMicros,
      availableMicros: stored.amountMicros });
  }
  return { ok: true, value: { payment: stored, replayed: true } };
}

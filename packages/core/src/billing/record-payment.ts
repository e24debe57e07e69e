import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { InvoiceAmounts } from './invoice-maths.ts';
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
  if (stored !== null) {
    const replayed = replayOf(stored, input);
    // A crash may have come between the payment and its ledger share: post it now (once).
    if (replayed.ok) await postLedgerShare(deps, stored);
    return replayed;
  }
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
  await postLedgerShare(deps, saved);
  return { ok: true, value: { payment: saved, replayed: false } };
}

/**
 * What part of `paidMicros`, paid against an invoice, settles ledger charges. The ledger holds
 * what calls and fees charged (`chargedMicros`); an invoice's total adds exclusive tax, and
 * differs from the charges by its rounding. Paid in full, the invoice settles exactly its
 * charges; paid in part, the charges' share of the part, rounded down to the micro.
 */
export function chargedShareOf(amounts: InvoiceAmounts, paidMicros: Micros): Micros {
  if (paidMicros === amounts.totalMicros || amounts.totalMicros <= 0n) {
    return amounts.totalMicros <= 0n ? paidMicros : amounts.chargedMicros;
  }
  return micros((paidMicros * amounts.chargedMicros) / amounts.totalMicros);
}

/**
 * The ledger moves by what a payment settles of the ledger's charges, not by the money
 * received: the whole payment entered the account's book, and what settled an invoice's
 * exclusive tax (the tax authority's money) or its rounding goes back out as an adjustment,
 * so paying a taxed invoice in full leaves the balance at zero rather than in credit by the
 * tax. Credit beyond the invoices stays whole. Idempotent by the payment's reference.
 */
async function postLedgerShare(deps: BillingDeps, payment: Payment): Promise<void> {
  let settledMicros: bigint = payment.creditMicros;
  for (const allocation of payment.allocations) {
    const invoice = await deps.store.findInvoice(allocation.invoiceId);
    assert(invoice !== null, 'a payment is allocated to stored invoices');
    settledMicros += chargedShareOf(invoice.amounts, allocation.amountMicros);
  }
  const adjustmentMicros = settledMicros - payment.amountMicros;
  if (adjustmentMicros === 0n) return;
  const posted = await deps.ledger.adjust({ accountId: payment.accountId,
    currency: payment.currency, amountMicros: micros(adjustmentMicros),
    reference: `payment-share:${payment.reference}`,
    idempotencyKey: `payment-share:${payment.accountId}:${payment.reference}` });
  // The payment itself was just posted to this account in this currency.
  assert(posted.ok, 'the ledger share of a payment posts');
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

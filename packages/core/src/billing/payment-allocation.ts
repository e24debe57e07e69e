import { assert } from '../kernel/assert.ts';
import { micros, type Micros } from '../kernel/money.ts';
import { billingLimits } from './billing-limits.ts';

/**
 * A payment settles open invoices: the oldest first (by issue time, then number), or only the
 * invoices named, in the order named. What is left after every open amount is paid stays on
 * the account as credit (its ledger balance rises above minus what it owes).
 */
export interface OpenInvoice {
  readonly invoiceId: string;
  readonly issuedAtMs: number;
  readonly sequence: number;
  readonly openMicros: Micros;
}

export interface Allocation {
  readonly invoiceId: string;
  readonly amountMicros: Micros;
}

export interface AllocationPlan {
  readonly allocations: readonly Allocation[];
  readonly creditMicros: Micros;
}

export function allocatePayment(options: {
  amountMicros: Micros;
  openInvoices: readonly OpenInvoice[];
  /** null: oldest first over all open invoices. */
  namedInvoiceIds: readonly string[] | null;
}): AllocationPlan {
  const { amountMicros, openInvoices, namedInvoiceIds } = options;
  assert(amountMicros > 0n, 'a payment is positive');
  assert(openInvoices.length <= billingLimits.allocationInvoicesMax, 'open invoices bounded');
  const ordered = namedInvoiceIds === null
    ? [...openInvoices].sort((a, b) => (a.issuedAtMs - b.issuedAtMs) || (a.sequence - b.sequence))
    : namedInvoiceIds.map((id) => openInvoices.find((invoice) => invoice.invoiceId === id))
      .filter((invoice): invoice is OpenInvoice => invoice !== undefined);
  let leftMicros: bigint = amountMicros;
  const allocations: Allocation[] = [];
  for (const invoice of ordered) {
    if (leftMicros === 0n) break;
    assert(invoice.openMicros > 0n, 'an open invoice owes something');
    const paid = leftMicros < invoice.openMicros ? leftMicros : invoice.openMicros;
    allocations.push({ invoiceId: invoice.invoiceId, amountMicros: micros(paid) });
    leftMicros -= paid;
  }
  const allocated = allocations.reduce((total, allocation) => total + allocation.amountMicros, 0n);
  assert(allocated + leftMicros === amountMicros, 'every micro is allocated or credit');
  return { allocations, creditMicros: micros(leftMicros) };
}

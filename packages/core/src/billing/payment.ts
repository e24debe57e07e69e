import type { Micros } from '../kernel/money.ts';
import type { Allocation } from './payment-allocation.ts';

export const paymentMethods = ['bank_transfer', 'card', 'cash', 'cheque', 'direct_debit',
  'other'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

/**
 * Money received from an account outside Tollgate, recorded once per reference. The ledger
 * transfer (kind `payment`) raises the account's balance; the allocations say which invoices
 * it settles; what is not allocated is credit.
 */
export interface Payment {
  readonly id: string;
  readonly accountId: string;
  readonly method: PaymentMethod;
  readonly reference: string;
  readonly currency: string;
  readonly amountMicros: Micros;
  readonly receivedAtMs: number;
  readonly transferId: bigint;
  readonly allocations: readonly Allocation[];
  readonly creditMicros: Micros;
  readonly createdAtMs: number;
}

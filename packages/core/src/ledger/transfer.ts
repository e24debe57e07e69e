import { assert } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import { micros, type Micros } from '../kernel/money.ts';
import type { Book, BookDelta, BookId } from './book.ts';
import { ledgerLimits } from './ledger-limits.ts';

/**
 * A transfer moves a positive amount from one book (debit) to another (credit) of the same
 * currency, so every transfer sums to zero by construction; `checkTransfer` asserts it before a
 * write and the verification checks it again after the read. Transfers are never updated: a
 * correction or a refund is a new transfer that points at the original.
 */
export const transferKinds = [
  'topup',
  'charge',
  'refund',
  'adjustment',
  'payment',
] as const;
export type TransferKind = (typeof transferKinds)[number];

/** Database-assigned, increasing: the order of the journal. */
export type TransferId = bigint & { readonly __brand: 'transfer_id' };

export interface NewTransfer {
  readonly kind: TransferKind;
  readonly debitBookId: BookId;
  readonly creditBookId: BookId;
  readonly currency: CurrencyCode;
  readonly amountMicros: Micros;
  /** What the money is for: a session id, a payment id, an operator's note id. */
  readonly reference: string;
  readonly reservationId: string | null;
  /** The transfer this one corrects or refunds. */
  readonly reversesTransferId: TransferId | null;
  readonly createdAtMs: number;
}

export interface Transfer extends NewTransfer {
  readonly id: TransferId;
}

/** The posting of one transfer: the debit book loses what the credit book gains. */
export function transferDeltas(transfer: NewTransfer): [BookDelta, BookDelta] {
  return [
    { bookId: transfer.debitBookId, postedDeltaMicros: micros(-transfer.amountMicros),
      pendingDeltaMicros: micros(0n) },
    { bookId: transfer.creditBookId, postedDeltaMicros: transfer.amountMicros,
      pendingDeltaMicros: micros(0n) },
  ];
}

/** Asserts the double-entry invariants of a transfer about to be written. */
export function checkTransfer(transfer: NewTransfer, debit: Book, credit: Book): void {
  assert(transfer.amountMicros > 0n, 'a stored transfer moves a positive amount');
  assert(transfer.amountMicros <= ledgerLimits.amountMicrosMax, 'amount within the sanity bound');
  assert(debit.id === transfer.debitBookId && credit.id === transfer.creditBookId, 'books match');
  assert(debit.id !== credit.id, 'a transfer moves money between two different books');
  assert(debit.currency === transfer.currency, 'the debit book is in the transfer currency');
  assert(credit.currency === transfer.currency, 'the credit book is in the transfer currency');
  const [debitDelta, creditDelta] = transferDeltas(transfer);
  assert(debitDelta.postedDeltaMicros + creditDelta.postedDeltaMicros === 0n, 'sums to zero');
}

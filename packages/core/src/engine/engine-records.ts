import type { Account } from '../ledger/account.ts';
import type { Book, BookDelta } from '../ledger/book.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import type { IdempotentOutcome } from '../ledger/idempotency.ts';
import type { Reservation } from '../ledger/reservation.ts';
import type { SpendWindow } from '../ledger/spend-window.ts';
import type { Transfer } from '../ledger/transfer.ts';
import type { Cdr } from '../charging/charging-types.ts';
import type { BundleRecord, SessionRecord } from '../charging/session-record.ts';

/**
 * What one decision of the engine changed, as records appended to the durable journal. A
 * decision is taken in memory; its records reach storage in a batch with the records of other
 * decisions, in the order they were taken, and the decision's answer leaves only after that
 * batch has committed. Applying the records in order to the tables a restart loads from gives
 * the state the engine had in memory: that is the contract of `EngineStorage.appendBatch`.
 *
 * Records carry whole values (a session, a reservation, an account after the change), except
 * book deltas, spend and bundle seconds, which are additions: those rows are hot (every call of
 * a reseller moves its books), and an addition commutes with the additions of other records.
 */
export type EngineRecord =
  | { readonly kind: 'account_inserted'; readonly account: Account }
  | { readonly kind: 'account_updated'; readonly account: Account }
  | { readonly kind: 'books_ensured'; readonly books: readonly Book[] }
  | { readonly kind: 'book_deltas'; readonly deltas: readonly BookDelta[] }
  /** Transfers with the ids the engine gave them (EngineStorage.allocateTransferIds). */
  | { readonly kind: 'transfers_inserted'; readonly transfers: readonly Transfer[] }
  | { readonly kind: 'reservation_inserted'; readonly reservation: Reservation }
  | { readonly kind: 'reservation_updated'; readonly reservation: Reservation }
  | { readonly kind: 'spend_added'; readonly windows: readonly SpendWindow[] }
  | { readonly kind: 'outcome_saved'; readonly outcome: IdempotentOutcome }
  | { readonly kind: 'exchange_rate_saved'; readonly rate: ExchangeRate }
  | { readonly kind: 'session_inserted'; readonly session: SessionRecord }
  | { readonly kind: 'session_updated'; readonly session: SessionRecord }
  | { readonly kind: 'cdr_inserted'; readonly cdr: Cdr }
  | { readonly kind: 'bundle_inserted'; readonly bundle: BundleRecord }
  | { readonly kind: 'bundle_seconds_added'; readonly bundleId: string;
    readonly deltaSeconds: number };

export type EngineRecordKind = EngineRecord['kind'];

import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import type { Account, AccountId, AccountTier } from './account.ts';
import type { Book, BookBalance, BookDelta, BookId } from './book.ts';
import type { ExchangeRate } from './exchange-rate.ts';
import type { IdempotentOutcome } from './idempotency.ts';
import type { Reservation } from './reservation.ts';
import type { SpendWindow, SpendWindowKey } from './spend-window.ts';
import type { NewTransfer, Transfer, TransferId } from './transfer.ts';

/**
 * The ledger's storage port. Adapters are dumb: each primitive is one or two statements, and
 * every rule lives in the use cases. A transaction is all or nothing: when `work` throws, the
 * adapter rolls back. Adapters may run `work` again after a conflict (a deadlock, a
 * serialization failure, a TransactionConflictError), so `work` must only touch the store.
 */
export interface LedgerStore {
  transaction<T>(
    work: (tx: LedgerTransaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
}

export interface TransactionOptions {
  /** A read-only transaction over one consistent snapshot (the verification). */
  readonly readOnly?: boolean;
}

/** An account with its main book, read under the account's lock. */
export interface LockedAccount {
  readonly account: Account;
  readonly main: BookBalance;
}

export interface ChildrenQuery {
  readonly parentId: AccountId;
  /** Only children of this tier; null for all. */
  readonly tier: AccountTier | null;
  /** Ids sort in lock order; a page starts after this id. */
  readonly afterId: AccountId | null;
  /** Only children that are not closed. */
  readonly openOnly: boolean;
  readonly limit: number;
}

export interface BookTotal {
  readonly bookId: BookId;
  readonly amountMicros: Micros;
}

export interface TransferQuery {
  readonly bookId: BookId;
  readonly afterId: TransferId | null;
  readonly limit: number;
}

/**
 * The primitives of one transaction. Locking: `lockAccounts` is the only lock a use case takes,
 * once, with every account it will change; it locks in the global order (ids sorted by code
 * unit), which is what keeps concurrent transactions free of deadlocks. Books, spend windows and
 * reservations are changed only under the locks of the accounts they belong to.
 */
export interface LedgerTransaction extends AccountPrimitives, JournalPrimitives,
  ReservationPrimitives {
  findIdempotentOutcome(key: string): Promise<IdempotentOutcome | null>;
  saveIdempotentOutcome(outcome: IdempotentOutcome): Promise<void>;
  saveExchangeRate(rate: ExchangeRate): Promise<void>;
  /** The rate of the pair in force at `atMs`: the latest with validFromMs <= atMs. */
  findExchangeRate(query: {
    fromCurrency: CurrencyCode;
    toCurrency: CurrencyCode;
    atMs: number;
  }): Promise<ExchangeRate | null>;
}

export interface AccountPrimitives {
  findAccount(id: AccountId): Promise<Account | null>;
  /** `ids` sorted and unique. Returns the accounts that exist, in that order, locked. */
  lockAccounts(ids: readonly AccountId[]): Promise<LockedAccount[]>;
  insertAccount(account: Account): Promise<void>;
  /** Replaces every field but the id. */
  updateAccount(account: Account): Promise<void>;
  listChildren(query: ChildrenQuery): Promise<Account[]>;
  /** A page of all accounts in id order (the verification). */
  listAccounts(page: { afterId: AccountId | null; limit: number }): Promise<Account[]>;
}

export interface JournalPrimitives {
  /** Creates the books that do not exist yet. */
  ensureBooks(books: readonly Book[]): Promise<void>;
  findBooks(ids: readonly BookId[]): Promise<BookBalance[]>;
  /** The books an account owns: its main book and its revenue books. */
  findAccountBooks(accountId: AccountId): Promise<BookBalance[]>;
  /** A page of all books in id order (the verification). */
  listBooks(page: { afterId: BookId | null; limit: number }): Promise<BookBalance[]>;
  applyBookDeltas(deltas: readonly BookDelta[]): Promise<void>;
  /** Appends to the journal; returns the transfers with their ids, in the same order. */
  insertTransfers(transfers: readonly NewTransfer[]): Promise<Transfer[]>;
  findTransfer(id: TransferId): Promise<Transfer | null>;
  listTransfers(query: TransferQuery): Promise<Transfer[]>;
  /** Sum of the refunds that point at a transfer. */
  sumReversals(id: TransferId): Promise<Micros>;
  /** Credits minus debits of each book in the journal; books without transfers are absent. */
  journalTotals(bookIds: readonly BookId[]): Promise<BookTotal[]>;
  findSpendWindows(keys: readonly SpendWindowKey[]): Promise<SpendWindow[]>;
  /** Adds each amount to its window, creating the window when absent. */
  addSpend(windows: readonly SpendWindow[]): Promise<void>;
}

export interface ReservationPrimitives {
  /** False, writing nothing, when a reservation with this id exists. */
  insertReservation(reservation: Reservation): Promise<boolean>;
  findReservation(id: string): Promise<Reservation | null>;
  /** Replaces state, deadline, closing time and the amounts of the legs. */
  updateReservation(reservation: Reservation): Promise<void>;
  /** Open reservations with expiresAtMs <= nowMs, earliest deadline first. */
  listExpiredReservations(nowMs: number, limit: number): Promise<Reservation[]>;
  /** Sum of the pending amounts of open legs per debit book; books without any are absent. */
  reservationTotals(bookIds: readonly BookId[]): Promise<BookTotal[]>;
}

/**
 * Thrown by a use case that finds, under its locks, that what it read before locking has
 * changed (a re-parenting between the read and the lock). Adapters run the work again.
 */
export class TransactionConflictError extends Error {
  override readonly name = 'TransactionConflictError';
}

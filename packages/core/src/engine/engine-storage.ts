import type { CurrencyCode } from '../kernel/currency.ts';
import type { Account } from '../ledger/account.ts';
import type { BookBalance } from '../ledger/book.ts';
import type { ExchangeRate } from '../ledger/exchange-rate.ts';
import type { IdempotentOutcome } from '../ledger/idempotency.ts';
import type { Reservation } from '../ledger/reservation.ts';
import type { SpendWindow, SpendWindowKey } from '../ledger/spend-window.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import type { BundleRecord, SessionRecord } from '../charging/session-record.ts';
import type { EngineRecord } from './engine-records.ts';

/**
 * What the engine keeps in memory from the start: every account with its books, the open
 * reservations and the live sessions. The rest (closed sessions, spend windows, bundles,
 * idempotency outcomes, exchange rates) is read the first time a decision needs it.
 */
export interface EngineSnapshot {
  readonly accounts: readonly Account[];
  readonly books: readonly BookBalance[];
  readonly openReservations: readonly Reservation[];
  readonly liveSessions: readonly SessionRecord[];
}

export interface ExchangeRatePair {
  readonly fromCurrency: CurrencyCode;
  readonly toCurrency: CurrencyCode;
}

/**
 * The engine's storage port: a few domain operations instead of row primitives. Loads read
 * committed state; `appendBatch` makes the records of many decisions durable in ONE commit and
 * writes the tables the API reads in that same commit. Only the owner of the data appends, so
 * a load of a key the engine does not know yet cannot race a write of it.
 */
export interface EngineStorage {
  loadSnapshot(): Promise<EngineSnapshot>;
  loadSessions(ids: readonly string[]): Promise<SessionRecord[]>;
  loadSpendWindows(keys: readonly SpendWindowKey[]): Promise<SpendWindow[]>;
  /** Bundles of these accounts, and bundles with these ids (whoever holds them). */
  loadBundles(query: { accountIds: readonly string[]; bundleIds: readonly string[] }):
    Promise<BundleRecord[]>;
  loadOutcomes(keys: readonly string[]): Promise<IdempotentOutcome[]>;
  /** Reservations by id, whatever their state. */
  loadReservations(ids: readonly string[]): Promise<Reservation[]>;
  loadExchangeRates(pairs: readonly ExchangeRatePair[]): Promise<ExchangeRate[]>;
  /** Accounts by id, wherever they are (an id taken by another writer is not free). */
  loadAccounts(ids: readonly string[]): Promise<Account[]>;
  /** Ids for new transfers, never handed out before, increasing within one call. */
  allocateTransferIds(count: number): Promise<bigint[]>;
  /** One durable commit of these records, applied in order; rejects if nothing was stored. */
  appendBatch(records: readonly EngineRecord[]): Promise<void>;
  /**
   * A read-only transaction over committed state: the API's reads, and the rare reads a
   * decision makes of the journal itself (a refund finding its charge).
   */
  read<T>(work: (tx: ChargingTransaction) => Promise<T>): Promise<T>;
}

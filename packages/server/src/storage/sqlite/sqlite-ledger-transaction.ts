import type Database from 'better-sqlite3';
import {
  assert,
  type Account,
  type AccountId,
  type BookTotal,
  type BookId,
  type LedgerTransaction,
  type LockedAccount,
  type Transfer,
  type TransferId,
} from '@tollgate/core';
import {
  fromDbAccount,
  fromDbBook,
  fromDbExchangeRate,
  fromDbLockRow,
  fromDbOutcome,
  fromDbReservations,
  fromDbTransfer,
  toDbAccount,
  toDbReservationLegs,
  toMicros,
  type AccountRow,
  type BookRow,
  type DbInteger,
  type ExchangeRateRow,
  type IdempotencyRow,
  type LockRow,
  type ReservationLegRow,
  type TransferRow,
} from '../shared/ledger-mapping.ts';
import { ledgerStatements, type SqliteLedgerStatements } from './sqlite-ledger-statements.ts';

/**
 * The primitives keep no state of their own (the transaction is the connection's), so one frozen
 * object per connection serves every transaction instead of thirty closures built per call.
 */
const primitivesByConnection = new WeakMap<Database.Database, LedgerTransaction>();

/**
 * The ledger primitives over one SQLite connection inside a transaction opened by
 * SqliteDatabase. Other features build their own primitives over the same connection, so one
 * transaction can span the ledger and them. Locks: the transaction holds SQLite's write lock
 * from BEGIN IMMEDIATE, so `lockAccounts` only reads.
 */
export function sqliteLedgerTransaction(connection: Database.Database): LedgerTransaction {
  let primitives = primitivesByConnection.get(connection);
  if (primitives === undefined) {
    const s = ledgerStatements(connection);
    primitives = Object.freeze({ ...accountPrimitives(s), ...journalPrimitives(s),
      ...reservationPrimitives(s), ...otherPrimitives(s) });
    primitivesByConnection.set(connection, primitives);
  }
  return primitives;
}

function accountPrimitives(s: SqliteLedgerStatements) {
  return {
    async findAccount(id: AccountId) {
      const row = s.findAccount.get(id) as AccountRow | undefined;
      return row === undefined ? null : fromDbAccount(row);
    },
    async lockAccounts(ids: readonly AccountId[]): Promise<LockedAccount[]> {
      if (ids.length === 0) return [];
      // ORDER BY compares bytes, which is the order of the sorted ASCII ids asked for.
      const rows = s.lockAccounts.all(JSON.stringify(ids)) as LockRow[];
      return rows.map(fromDbLockRow);
    },
    async insertAccount(account: Account) {
      s.insertAccount.run(toDbAccount(account));
    },
    async updateAccount(account: Account) {
      const [id, ...rest] = toDbAccount(account);
      const changed = s.updateAccount.run([...rest, id]).changes;
      assert(changed === 1, 'an update changes one account');
    },
    async listChildren(query: { parentId: AccountId; tier: string | null;
      afterId: AccountId | null; openOnly: boolean; limit: number }) {
      const rows = s.listChildren.all({ parentId: query.parentId, tier: query.tier,
        openOnly: query.openOnly ? 1 : 0, afterId: query.afterId, limit: query.limit });
      return (rows as AccountRow[]).map(fromDbAccount);
    },
    async listAccounts(page: { afterId: AccountId | null; limit: number }) {
      return (s.listAccounts.all(page) as AccountRow[]).map(fromDbAccount);
    },
  };
}

function totals(rows: unknown[]): BookTotal[] {
  return (rows as Array<{ book_id: string; total: DbInteger }>)
    .map((row) => ({ bookId: row.book_id as BookId, amountMicros: toMicros(row.total) }));
}

function journalPrimitives(s: SqliteLedgerStatements) {
  return {
    async ensureBooks(books: Parameters<LedgerTransaction['ensureBooks']>[0]) {
      for (const book of books) s.ensureBook.run(book.id, book.accountId, book.kind, book.currency);
    },
    async findBooks(ids: readonly BookId[]) {
      return ids.flatMap((id) => {
        const row = s.findBook.get(id) as BookRow | undefined;
        return row === undefined ? [] : [fromDbBook(row)];
      });
    },
    async findAccountBooks(accountId: AccountId) {
      return (s.findAccountBooks.all(accountId) as BookRow[]).map(fromDbBook);
    },
    async listBooks(page: { afterId: BookId | null; limit: number }) {
      return (s.listBooks.all(page) as BookRow[]).map(fromDbBook);
    },
    async applyBookDeltas(deltas: Parameters<LedgerTransaction['applyBookDeltas']>[0]) {
      for (const delta of deltas) {
        const changed = s.applyBookDelta.run(delta.postedDeltaMicros, delta.pendingDeltaMicros,
          delta.bookId).changes;
        assert(changed === 1, 'a delta changes one existing book');
      }
    },
    async insertTransfers(transfers: Parameters<LedgerTransaction['insertTransfers']>[0]) {
      return transfers.map((transfer): Transfer => {
        const { lastInsertRowid } = s.insertTransfer.run(transfer.kind, transfer.debitBookId,
          transfer.creditBookId, transfer.currency, transfer.amountMicros, transfer.reference,
          transfer.reservationId, transfer.reversesTransferId, transfer.createdAtMs);
        return { ...transfer, id: BigInt(lastInsertRowid) as TransferId };
      });
    },
    async findTransfer(id: TransferId) {
      const row = s.findTransfer.get(id) as TransferRow | undefined;
      return row === undefined ? null : fromDbTransfer(row);
    },
    async listTransfers(query: { bookId: BookId; afterId: TransferId | null; limit: number }) {
      return (s.listTransfers.all(query) as TransferRow[]).map(fromDbTransfer);
    },
    async sumReversals(id: TransferId) {
      return toMicros((s.sumReversals.get(id) as { total: DbInteger }).total);
    },
    async journalTotals(bookIds: readonly BookId[]) {
      return totals(s.journalTotals.all({ ids: JSON.stringify(bookIds) }));
    },
    async findSpendWindows(keys: Parameters<LedgerTransaction['findSpendWindows']>[0]) {
      return keys.flatMap((key) => {
        const row = s.findSpend.get(key.accountId, key.periodKey) as
          { spent_micros: DbInteger } | undefined;
        return row === undefined ? [] : [{ ...key, spentMicros: toMicros(row.spent_micros) }];
      });
    },
    async addSpend(windows: Parameters<LedgerTransaction['addSpend']>[0]) {
      for (const window of windows) {
        s.addSpend.run(window.accountId, window.periodKey, window.spentMicros);
      }
    },
  };
}

function reservationPrimitives(s: SqliteLedgerStatements) {
  const writeLegs = (reservation: Parameters<LedgerTransaction['insertReservation']>[0]) => {
    for (const row of toDbReservationLegs(reservation)) s.insertLeg.run(row);
  };
  return {
    async insertReservation(reservation: Parameters<LedgerTransaction['insertReservation']>[0]) {
      const { changes } = s.insertReservation.run(reservation.id, reservation.reference,
        reservation.state, reservation.createdAtMs, reservation.expiresAtMs,
        reservation.closedAtMs);
      if (changes === 0) return false;
      writeLegs(reservation);
      return true;
    },
    async findReservation(id: string) {
      const [reservation] = fromDbReservations(s.findReservation.all(id) as ReservationLegRow[]);
      return reservation ?? null;
    },
    async updateReservation(reservation: Parameters<LedgerTransaction['updateReservation']>[0]) {
      const changed = s.updateReservation.run(reservation.state, reservation.expiresAtMs,
        reservation.closedAtMs, reservation.id).changes;
      assert(changed === 1, 'an update changes one reservation');
      for (const [index, leg] of reservation.legs.entries()) {
        const legChanged = s.updateLeg.run(leg.pendingMicros, leg.committedMicros,
          reservation.id, index).changes;
        assert(legChanged === 1, 'an update keeps the legs of a reservation');
      }
    },
    async listExpiredReservations(nowMs: number, limit: number) {
      return fromDbReservations(s.listExpired.all(nowMs, limit) as ReservationLegRow[]);
    },
    async reservationTotals(bookIds: readonly BookId[]) {
      return totals(s.reservationTotals.all(JSON.stringify(bookIds)));
    },
  };
}

function otherPrimitives(s: SqliteLedgerStatements) {
  return {
    async findIdempotentOutcome(key: string) {
      const row = s.findOutcome.get(key) as IdempotencyRow | undefined;
      return row === undefined ? null : fromDbOutcome(row);
    },
    async saveIdempotentOutcome(
      outcome: Parameters<LedgerTransaction['saveIdempotentOutcome']>[0],
    ) {
      s.saveOutcome.run(outcome.key, outcome.operation, outcome.requestJson,
        outcome.outcomeJson, outcome.createdAtMs);
    },
    async saveExchangeRate(rate: Parameters<LedgerTransaction['saveExchangeRate']>[0]) {
      s.saveRate.run(rate.fromCurrency, rate.toCurrency, rate.validFromMs, rate.rate);
    },
    async findExchangeRate(query: Parameters<LedgerTransaction['findExchangeRate']>[0]) {
      const row = s.findRate.get(query.fromCurrency, query.toCurrency, query.atMs) as
        ExchangeRateRow | undefined;
      return row === undefined ? null : fromDbExchangeRate(row);
    },
  };
}


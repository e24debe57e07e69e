import type pg from 'pg';
import {
  assert,
  type Account,
  type AccountId,
  type BookId,
  type BookTotal,
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
import { postgresLedgerSql, type PostgresLedgerStatement } from './postgres-ledger-sql.ts';
import { PostgresLedgerWrites } from './postgres-ledger-writes.ts';
import { pendingWritesOf } from './postgres-pending-writes.ts';

type Query = <Row extends pg.QueryResultRow>(name: PostgresLedgerStatement,
  values: unknown[]) => Promise<pg.QueryResult<Row>>;

/**
 * The ledger primitives over one pooled connection inside a transaction opened by
 * PostgresDatabase. Other features build their primitives over the same client, so a session
 * and its ledger commits share one transaction. The writes that answer nothing are held back
 * (PostgresLedgerWrites) and sent before the next ledger statement or when the unit of work
 * ends, whichever comes first; a feature that reads ledger tables with its own SQL in the same
 * transaction must call flushPendingWrites(client) first.
 */
export function postgresLedgerTransaction(client: pg.PoolClient): LedgerTransaction {
  const writes = pendingWritesOf(client, () => new PostgresLedgerWrites(client));
  const query: Query = async (name, values) => {
    await writes.flush();
    return client.query({ name: `ledger_${name}`, text: postgresLedgerSql[name], values });
  };
  return { ...accountPrimitives(query), ...journalPrimitives(query, writes),
    ...reservationPrimitives(query, writes), ...otherPrimitives(query, writes) };
}

function accountPrimitives(query: Query) {
  return {
    async findAccount(id: AccountId) {
      const { rows } = await query<AccountRow>('findAccount', [id]);
      return rows[0] === undefined ? null : fromDbAccount(rows[0]);
    },
    async lockAccounts(ids: readonly AccountId[]): Promise<LockedAccount[]> {
      if (ids.length === 0) return [];
      const { rows } = await query<LockRow>('lockAccounts', [ids]);
      return rows.map(fromDbLockRow);
    },
    async insertAccount(account: Account) {
      await query('insertAccount', toDbAccount(account));
    },
    async updateAccount(account: Account) {
      const { rowCount } = await query('updateAccount', toDbAccount(account));
      assert(rowCount === 1, 'an update changes one account');
    },
    async listChildren(q: { parentId: AccountId; tier: string | null;
      afterId: AccountId | null; openOnly: boolean; limit: number }) {
      const { rows } = await query<AccountRow>('listChildren',
        [q.parentId, q.tier, q.openOnly, q.afterId, q.limit]);
      return rows.map(fromDbAccount);
    },
    async listAccounts(page: { afterId: AccountId | null; limit: number }) {
      const { rows } = await query<AccountRow>('listAccounts', [page.afterId, page.limit]);
      return rows.map(fromDbAccount);
    },
  };
}

function totals(rows: Array<{ book_id: string; total: DbInteger }>): BookTotal[] {
  return rows.map((row) => ({ bookId: row.book_id as BookId, amountMicros: toMicros(row.total) }));
}

type Tx = LedgerTransaction;

function journalPrimitives(query: Query, writes: PostgresLedgerWrites) {
  return {
    async ensureBooks(books: Parameters<Tx['ensureBooks']>[0]) {
      await query('ensureBooks', [books.map((b) => b.id), books.map((b) => b.accountId),
        books.map((b) => b.kind), books.map((b) => b.currency)]);
    },
    async findBooks(ids: readonly BookId[]) {
      return (await query<BookRow>('findBooks', [ids])).rows.map(fromDbBook);
    },
    async findAccountBooks(accountId: AccountId) {
      return (await query<BookRow>('findAccountBooks', [accountId])).rows.map(fromDbBook);
    },
    async listBooks(page: { afterId: BookId | null; limit: number }) {
      return (await query<BookRow>('listBooks', [page.afterId, page.limit])).rows.map(fromDbBook);
    },
    applyBookDeltas: (deltas: Parameters<Tx['applyBookDeltas']>[0]) =>
      writes.applyBookDeltas(deltas),
    async insertTransfers(transfers: Parameters<Tx['insertTransfers']>[0]) {
      const column = <K extends keyof (typeof transfers)[number]>(key: K) =>
        transfers.map((transfer) => transfer[key]);
      const { rows } = await query<{ id: DbInteger }>('insertTransfers', [column('kind'),
        column('debitBookId'), column('creditBookId'), column('currency'),
        column('amountMicros'), column('reference'), column('reservationId'),
        column('reversesTransferId'), column('createdAtMs')]);
      // Identity values of one statement increase in insertion order.
      const ids = rows.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      assert(ids.length === transfers.length, 'every transfer is stored');
      return transfers.map((transfer, index): Transfer =>
        ({ ...transfer, id: ids[index] as TransferId }));
    },
    async findTransfer(id: TransferId) {
      const { rows } = await query<TransferRow>('findTransfer', [id]);
      return rows[0] === undefined ? null : fromDbTransfer(rows[0]);
    },
    async listTransfers(q: { bookId: BookId; afterId: TransferId | null; limit: number }) {
      const { rows } = await query<TransferRow>('listTransfers', [q.bookId, q.afterId, q.limit]);
      return rows.map(fromDbTransfer);
    },
    async sumReversals(id: TransferId) {
      const { rows } = await query<{ total: DbInteger }>('sumReversals', [id]);
      return toMicros(rows[0]?.total ?? 0n);
    },
    async journalTotals(bookIds: readonly BookId[]) {
      return totals((await query<{ book_id: string; total: DbInteger }>('journalTotals',
        [bookIds])).rows);
    },
    async findSpendWindows(keys: Parameters<Tx['findSpendWindows']>[0]) {
      const { rows } = await query<{ account_id: string; period_key: string;
        spent_micros: DbInteger }>('findSpendWindows',
        [keys.map((key) => key.accountId), keys.map((key) => key.periodKey)]);
      return rows.map((row) => ({ accountId: row.account_id as AccountId,
        periodKey: row.period_key, spentMicros: toMicros(row.spent_micros) }));
    },
    addSpend: (windows: Parameters<Tx['addSpend']>[0]) => writes.addSpend(windows),
  };
}

function reservationPrimitives(query: Query, writes: PostgresLedgerWrites) {
  return {
    async insertReservation(r: Parameters<Tx['insertReservation']>[0]) {
      const legs = r.legs;
      const { rowCount } = await query('insertReservation', [r.id, r.reference, r.state,
        r.createdAtMs, r.expiresAtMs, r.closedAtMs, legs.map((_leg, index) => index),
        legs.map((leg) => leg.accountId), legs.map((leg) => leg.debitBookId),
        legs.map((leg) => leg.creditBookId), legs.map((leg) => leg.creditAccountId),
        legs.map((leg) => leg.currency), legs.map((leg) => leg.pendingMicros),
        legs.map((leg) => leg.committedMicros)]);
      assert(rowCount === 0 || rowCount === legs.length, 'a reservation is written whole');
      return rowCount === legs.length;
    },
    async findReservation(id: string) {
      const { rows } = await query<ReservationLegRow>('findReservation', [id]);
      return fromDbReservations(rows)[0] ?? null;
    },
    updateReservation: (r: Parameters<Tx['updateReservation']>[0]) =>
      writes.updateReservation(r),
    async listExpiredReservations(nowMs: number, limit: number) {
      const { rows } = await query<ReservationLegRow>('listExpired', [nowMs, limit]);
      return fromDbReservations(rows);
    },
    async reservationTotals(bookIds: readonly BookId[]) {
      return totals((await query<{ book_id: string; total: DbInteger }>('reservationTotals',
        [bookIds])).rows);
    },
  };
}

function otherPrimitives(query: Query, writes: PostgresLedgerWrites) {
  return {
    async findIdempotentOutcome(key: string) {
      const { rows } = await query<IdempotencyRow>('findOutcome', [key]);
      return rows[0] === undefined ? null : fromDbOutcome(rows[0]);
    },
    saveIdempotentOutcome: (outcome: Parameters<Tx['saveIdempotentOutcome']>[0]) =>
      writes.saveOutcome(outcome),
    async saveExchangeRate(rate: Parameters<Tx['saveExchangeRate']>[0]) {
      await query('saveRate', [rate.fromCurrency, rate.toCurrency, rate.validFromMs, rate.rate]);
    },
    async findExchangeRate(q: Parameters<Tx['findExchangeRate']>[0]) {
      const { rows } = await query<ExchangeRateRow>('findRate',
        [q.fromCurrency, q.toCurrency, q.atMs]);
      return rows[0] === undefined ? null : fromDbExchangeRate(rows[0]);
    },
  };
}

import type { LedgerStore } from '@tollgate/core';
import type { SqliteDatabase } from './sqlite-database.ts';
import { sqliteLedgerTransaction } from './sqlite-ledger-transaction.ts';

/** The ledger port over a SQLite database: the embedded default store. */
export function createSqliteLedgerStore(database: SqliteDatabase): LedgerStore {
  return {
    transaction: (work, options = {}) =>
      database.transaction((connection) => work(sqliteLedgerTransaction(connection)), options),
  };
}

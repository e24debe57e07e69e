import type { LedgerStore } from '@tollgate/core';
import type { PostgresDatabase } from './postgres-database.ts';
import { postgresLedgerTransaction } from './postgres-ledger-transaction.ts';

/** The ledger port over PostgreSQL: the production store, shared by several processes. */
export function createPostgresLedgerStore(database: PostgresDatabase): LedgerStore {
  return {
    transaction: (work, options = {}) =>
      database.transaction((client) => work(postgresLedgerTransaction(client)), options),
  };
}

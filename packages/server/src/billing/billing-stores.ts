import type { BillingStore } from '@tollgate/core';
import type { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { postgresRunner } from '../storage/postgres/postgres-charging-store.ts';
import { sqliteWithRunner } from '../storage/sqlite/sqlite-api-stores.ts';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { billingStoreOver } from './billing-store-sql.ts';

/** SQLite: one writer process, transactions serialized: no row lock is needed. */
export function sqliteBillingStore(database: SqliteDatabase): BillingStore {
  return billingStoreOver({ transaction: sqliteWithRunner(database), lockForUpdate: '' });
}

/**
 * PostgreSQL: each use of the store is one transaction (rerun on a conflict by the database
 * layer). The numbering row is locked by its upsert and a payment locks the open invoices it
 * allocates over, so concurrent closes and payments on several nodes serialize where they
 * meet and nowhere else.
 */
export function postgresBillingStore(database: PostgresDatabase): BillingStore {
  return billingStoreOver({
    transaction: (work, options) => database.transaction((client) =>
      work(postgresRunner(client)), { readOnly: options?.readOnly === true }),
    lockForUpdate: ' FOR UPDATE',
  });
}

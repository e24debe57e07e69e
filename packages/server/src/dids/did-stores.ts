import type { DidStore, PackageStore } from '@tollgate/core';
import { packageStoreOver } from '../packages/package-store-sql.ts';
import type { WithRunner } from '../storage/shared/api-store-sql.ts';
import type { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { postgresRunner } from '../storage/postgres/postgres-charging-store.ts';
import { sqliteWithRunner } from '../storage/sqlite/sqlite-api-stores.ts';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { didStoreOver } from './did-store-sql.ts';

export function sqliteDidStore(database: SqliteDatabase): DidStore {
  return didStoreOver(sqliteWithRunner(database));
}

/** Each use one PostgreSQL transaction, rerun by the database layer on a conflict. */
function postgresTransactions(database: PostgresDatabase): WithRunner {
  return (work, options) => database.transaction((client) =>
    work(postgresRunner(client)), { readOnly: options?.readOnly === true });
}

export function postgresDidStore(database: PostgresDatabase): DidStore {
  return didStoreOver(postgresTransactions(database));
}

/** Package subscriptions (`packages/`), over the same database as the numbers. */
export function sqlitePackageStore(database: SqliteDatabase): PackageStore {
  return packageStoreOver(sqliteWithRunner(database));
}

export function postgresPackageStore(database: PostgresDatabase): PackageStore {
  return packageStoreOver(postgresTransactions(database));
}

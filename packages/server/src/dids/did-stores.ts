import type { DidStore } from '@tollgate/core';
import type { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { postgresRunner } from '../storage/postgres/postgres-charging-store.ts';
import { sqliteWithRunner } from '../storage/sqlite/sqlite-api-stores.ts';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { didStoreOver } from './did-store-sql.ts';

export function sqliteDidStore(database: SqliteDatabase): DidStore {
  return didStoreOver(sqliteWithRunner(database));
}

/** Each method one PostgreSQL transaction, rerun by the database layer on a conflict. */
export function postgresDidStore(database: PostgresDatabase): DidStore {
  return didStoreOver((work, options) => database.transaction((client) =>
    work(postgresRunner(client)), { readOnly: options?.readOnly === true }));
}

import { postgresWithRunner } from '../../storage/postgres/postgres-api-stores.ts';
import type { PostgresDatabase } from '../../storage/postgres/postgres-database.ts';
import { sqliteWithRunner } from '../../storage/sqlite/sqlite-api-stores.ts';
import type { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { sessionOriginStoreOver } from './session-origin-sql.ts';
import type { SessionOriginStore } from './session-origins.ts';

/** SQLite: each call is its own transaction on the shared connection. */
export function createSqliteSessionOriginStore(database: SqliteDatabase): SessionOriginStore {
  return sessionOriginStoreOver(sqliteWithRunner(database));
}

/** PostgreSQL: each statement runs alone on a pooled connection (autocommit). */
export function createPostgresSessionOriginStore(database: PostgresDatabase): SessionOriginStore {
  return sessionOriginStoreOver(postgresWithRunner(database));
}

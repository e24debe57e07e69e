import type { PostgresDatabase } from '../../storage/postgres/postgres-database.ts';
import { toDollarPlaceholders, type SqlRunner } from '../../storage/shared/sql-runner.ts';
import type { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { sessionOriginStoreOver } from './session-origin-sql.ts';
import type { SessionOriginStore } from './session-origins.ts';

/**
 * SQLite: each call is its own transaction on the shared connection (a stray statement outside
 * one could join another request's open transaction).
 */
export function createSqliteSessionOriginStore(database: SqliteDatabase): SessionOriginStore {
  return sessionOriginStoreOver((work, options) => database.transaction((connection) => {
    const runner: SqlRunner = {
      all: async <Row>(text: string, params: readonly unknown[]) =>
        connection.prepare(text).all(...params) as Row[],
      run: async (text, params) => {
        connection.prepare(text).run(...params);
      },
    };
    return work(runner);
  }, { readOnly: options?.readOnly === true }));
}

/** PostgreSQL: each statement runs alone on a pooled connection (autocommit). */
export function createPostgresSessionOriginStore(database: PostgresDatabase): SessionOriginStore {
  const runner: SqlRunner = {
    all: async <Row>(text: string, params: readonly unknown[]) =>
      (await database.pool.query(toDollarPlaceholders(text), [...params])).rows as Row[],
    run: async (text, params) => {
      await database.pool.query(toDollarPlaceholders(text), [...params]);
    },
  };
  return sessionOriginStoreOver((work) => work(runner));
}

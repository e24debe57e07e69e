import type Database from 'better-sqlite3';
import type { ApiKeyStore } from '../../auth/api-key-store.ts';
import type { DeckStore } from '../../decks/deck-store.ts';
import { apiKeyStoreOver, deckStoreOver, type WithRunner } from '../shared/api-store-sql.ts';
import type { SqlRunner } from '../shared/sql-runner.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

function runnerOf(connection: Database.Database): SqlRunner {
  return {
    all: async <Row>(sql: string, params: readonly unknown[]) =>
      connection.prepare(sql).all(...params) as Row[],
    run: async (sql, params) => {
      connection.prepare(sql).run(...params);
    },
  };
}

/**
 * Each call is its own transaction on the shared connection. Statements must not run outside
 * `transaction`: another request's transaction may be open on the connection across an await,
 * and a stray statement would join it.
 */
export function sqliteWithRunner(database: SqliteDatabase): WithRunner {
  return (work, options) => database.transaction((connection) => work(runnerOf(connection)),
    { readOnly: options?.readOnly === true });
}

export function createSqliteDeckStore(database: SqliteDatabase): DeckStore {
  return deckStoreOver(sqliteWithRunner(database));
}

export function createSqliteApiKeyStore(database: SqliteDatabase): ApiKeyStore {
  return apiKeyStoreOver(sqliteWithRunner(database));
}

import type { ApiKeyStore } from '../../auth/api-key-store.ts';
import type { DeckStore } from '../../decks/deck-store.ts';
import { apiKeyStoreOver, deckStoreOver, type WithRunner } from '../shared/api-store-sql.ts';
import { toDollarPlaceholders, type SqlRunner } from '../shared/sql-runner.ts';
import type { PostgresDatabase } from './postgres-database.ts';

/** Each statement runs alone on a pooled connection (autocommit): none needs a transaction. */
export function postgresWithRunner(database: PostgresDatabase): WithRunner {
  const runner: SqlRunner = {
    all: async <Row>(sql: string, params: readonly unknown[]) =>
      (await database.pool.query(toDollarPlaceholders(sql), [...params])).rows as Row[],
    run: async (sql, params) => {
      await database.pool.query(toDollarPlaceholders(sql), [...params]);
    },
  };
  return (work) => work(runner);
}

export function createPostgresDeckStore(database: PostgresDatabase): DeckStore {
  return deckStoreOver(postgresWithRunner(database));
}

export function createPostgresApiKeyStore(database: PostgresDatabase): ApiKeyStore {
  return apiKeyStoreOver(postgresWithRunner(database));
}

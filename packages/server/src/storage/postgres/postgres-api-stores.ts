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

/**
 * Two uploads of one tree commit their deck rows one after the other: each takes the tree's
 * transaction-scoped advisory lock (keyed by schema and root, so test schemas and trees do not
 * wait for each other) before its insert counts the tree's decks.
 */
export function createPostgresDeckStore(database: PostgresDatabase): DeckStore {
  return deckStoreOver(postgresWithRunner(database), async (sql, params, rootAccountId) => {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      if (rootAccountId !== null) {
        await client.query(`SELECT pg_advisory_xact_lock(
          hashtext('tollgate-deck-quota:' || current_schema() || ':' || $1))`, [rootAccountId]);
      }
      const { rows } = await client.query(toDollarPlaceholders(sql), [...params]);
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });
}

export function createPostgresApiKeyStore(database: PostgresDatabase): ApiKeyStore {
  return apiKeyStoreOver(postgresWithRunner(database));
}

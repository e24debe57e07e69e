import type { FraudHistory, FraudStore } from '@tollgate/core';
import type Database from 'better-sqlite3';
import type { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { toDollarPlaceholders, type SqlRunner } from '../storage/shared/sql-runner.ts';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { deliveryStoreOver, type DeliveryStore } from './delivery-store.ts';
import { fraudHistoryOver } from './fraud-history-sql.ts';
import { fraudStoreOver, type WithRunner } from './fraud-store-sql.ts';

/** The fraud module's stores over one database. */
export interface FraudStores {
  readonly fraud: FraudStore;
  readonly deliveries: DeliveryStore;
  readonly history: FraudHistory;
}

function sqliteRunner(connection: Database.Database): SqlRunner {
  return {
    all: async <Row>(text: string, params: readonly unknown[]) =>
      connection.prepare(text).all(...params) as Row[],
    run: async (text, params) => {
      connection.prepare(text).run(...params);
    },
  };
}

/**
 * SQLite: each call is its own transaction on the shared connection (a stray statement outside
 * one could join another request's open transaction).
 */
export function sqliteFraudStores(database: SqliteDatabase): FraudStores {
  const withRunner: WithRunner = (work, options) =>
    database.transaction((connection) => work(sqliteRunner(connection)), options);
  return { fraud: fraudStoreOver(withRunner), deliveries: deliveryStoreOver(withRunner),
    history: fraudHistoryOver(withRunner) };
}

/** PostgreSQL: each statement alone on a pooled connection (autocommit). */
export function postgresFraudStores(database: PostgresDatabase): FraudStores {
  const runner: SqlRunner = {
    all: async <Row>(text: string, params: readonly unknown[]) =>
      (await database.pool.query(toDollarPlaceholders(text), [...params])).rows as Row[],
    run: async (text, params) => {
      await database.pool.query(toDollarPlaceholders(text), [...params]);
    },
  };
  const withRunner: WithRunner = (work) => work(runner);
  return { fraud: fraudStoreOver(withRunner), deliveries: deliveryStoreOver(withRunner),
    history: fraudHistoryOver(withRunner) };
}

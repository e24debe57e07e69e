import type { FraudHistory, FraudStore } from '@tollgate/core';
import { postgresWithRunner } from '../storage/postgres/postgres-api-stores.ts';
import type { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { sqliteWithRunner } from '../storage/sqlite/sqlite-api-stores.ts';
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

function storesOver(withRunner: WithRunner): FraudStores {
  return { fraud: fraudStoreOver(withRunner), deliveries: deliveryStoreOver(withRunner),
    history: fraudHistoryOver(withRunner) };
}

/** SQLite: each call is its own transaction on the shared connection. */
export function sqliteFraudStores(database: SqliteDatabase): FraudStores {
  return storesOver(sqliteWithRunner(database));
}

/** PostgreSQL: each statement alone on a pooled connection (autocommit). */
export function postgresFraudStores(database: PostgresDatabase): FraudStores {
  return storesOver(postgresWithRunner(database));
}

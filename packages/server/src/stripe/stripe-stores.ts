import { postgresWithRunner } from '../storage/postgres/postgres-api-stores.ts';
import type { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { sqliteWithRunner } from '../storage/sqlite/sqlite-api-stores.ts';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { stripeStoreOver, type StripeStore } from './stripe-store.ts';

export function sqliteStripeStore(database: SqliteDatabase): StripeStore {
  return stripeStoreOver(sqliteWithRunner(database));
}

/** Each statement on the pool: every write of the store is one atomic statement. */
export function postgresStripeStore(database: PostgresDatabase): StripeStore {
  return stripeStoreOver(postgresWithRunner(database));
}

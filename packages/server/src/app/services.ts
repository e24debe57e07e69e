import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createChargingService,
  createLedgerService,
  type ChargingSettings,
  type ChargingStore,
  type Clock,
} from '@tollgate/core';
import { createAccess } from '../auth/access.ts';
import type { ApiKeyStore } from '../auth/api-key-store.ts';
import { createApiKeys, randomId } from '../auth/api-keys.ts';
import type { Config } from '../config/config-schema.ts';
import { databaseTarget, type DatabaseTarget } from '../config/load-config.ts';
import { createDeckCatalog } from '../decks/deck-catalog.ts';
import type { DeckStore } from '../decks/deck-store.ts';
import type { AppServices } from '../http/app-services.ts';
import {
  createPostgresApiKeyStore,
  createPostgresDeckStore,
} from '../storage/postgres/postgres-api-stores.ts';
import { createPostgresChargingStore } from '../storage/postgres/postgres-charging-store.ts';
import { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { createSqliteApiKeyStore, createSqliteDeckStore } from
  '../storage/sqlite/sqlite-api-stores.ts';
import { createSqliteChargingStore } from '../storage/sqlite/sqlite-charging-store.ts';
import { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import { systemClock } from './system-clock.ts';

export interface RunningServices extends AppServices {
  readonly target: DatabaseTarget;
  /** Schema migrations applied by this start (0 when the database was up to date). */
  readonly migrationsApplied: number;
  /** Closes the database; call after the HTTP server has drained. */
  close(): Promise<void>;
}

interface Stores {
  readonly charging: ChargingStore;
  readonly decks: DeckStore;
  readonly apiKeys: ApiKeyStore;
  readonly migrationsApplied: number;
  close(): Promise<void>;
}

/** The database `config.database` names, migrated, with every store over it. */
async function openStores(config: Config, target: DatabaseTarget): Promise<Stores> {
  if (target.kind === 'sqlite') {
    mkdirSync(dirname(target.path), { recursive: true });
    const database = new SqliteDatabase({ path: target.path,
      synchronous: config.sqliteSynchronous, busyTimeoutMs: config.sqliteBusyTimeoutMs });
    const migrationsApplied = database.migrate();
    return { charging: createSqliteChargingStore(database),
      decks: createSqliteDeckStore(database), apiKeys: createSqliteApiKeyStore(database),
      migrationsApplied, close: () => database.close() };
  }
  const database = new PostgresDatabase({ connectionString: target.url,
    schema: config.postgresSchema, poolSize: config.postgresPoolSize,
    statementTimeoutMs: config.postgresStatementTimeoutMs });
  try {
    const migrationsApplied = await database.migrate();
    return { charging: createPostgresChargingStore(database),
      decks: createPostgresDeckStore(database), apiKeys: createPostgresApiKeyStore(database),
      migrationsApplied, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export function chargingSettingsOf(config: Config): ChargingSettings {
  return {
    sliceSeconds: config.sliceSeconds,
    callDurationSecondsMax: config.callDurationSecondsMax,
    sessionGraceMs: config.sessionGraceMs,
    sweepBatchMax: config.sweepBatchMax,
    staleSessionCharge: config.staleSessionCharge,
  };
}

/**
 * The composition root: configuration -> database (created and migrated on first start) ->
 * stores -> use cases. The ledger runs on the charging store so that a call's commits, its
 * session and its CDR share one transaction.
 */
export async function openServices(
  config: Config,
  options: { clock?: Clock } = {},
): Promise<RunningServices> {
  const clock = options.clock ?? systemClock;
  const target = databaseTarget(config);
  const stores = await openStores(config, target);
  const ledger = createLedgerService({ store: stores.charging, clock });
  const decks = createDeckCatalog({ store: stores.decks, clock,
    decksCachedMax: config.deckCacheDecksMax, newId: randomId });
  const charging = createChargingService({ store: stores.charging, clock, decks,
    settings: chargingSettingsOf(config), startedAtMs: clock.nowMs() });
  return {
    target,
    migrationsApplied: stores.migrationsApplied,
    clock,
    ledger,
    charging,
    decks,
    deckStore: stores.decks,
    apiKeys: createApiKeys({ store: stores.apiKeys, clock, adminKey: config.adminKey }),
    access: createAccess(ledger),
    close: () => stores.close(),
  };
}

import {
  createChargingEngine,
  type ChargingEngine,
  type EngineSettings,
  type EngineStorage,
  type TreeOwnership,
} from '@tollgate/core';
import type { PostgresDatabase } from '../postgres/postgres-database.ts';
import { SqliteDatabase } from '../sqlite/sqlite-database.ts';
import { postgresEngineStorage, sqliteEngineStorage } from './engine-storage-dialects.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The charging engine over a storage port, with Node's event loop for its batches. */
export function engineOver(storage: EngineStorage,
  settings: Partial<EngineSettings> = {}, ownership?: TreeOwnership): ChargingEngine {
  return createChargingEngine({ storage, settings, nowMs: () => Date.now(), nextTurn,
    ...(ownership === undefined ? {} : { ownership }) });
}

/** The engine over an open SQLite or PostgreSQL database (not started: call `start`). */
export function engineOnDatabase(database: SqliteDatabase | PostgresDatabase,
  settings: Partial<EngineSettings> = {}): ChargingEngine {
  const storage = database instanceof SqliteDatabase ? sqliteEngineStorage(database)
    : postgresEngineStorage(database);
  return engineOver(storage, settings);
}

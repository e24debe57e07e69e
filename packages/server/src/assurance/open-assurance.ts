import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLedgerService, type AssuranceDeps, type ChargingStore } from '@tollgate/core';
import { systemClock } from '../app/system-clock.ts';
import { postgresBillingStore, sqliteBillingStore } from '../billing/billing-stores.ts';
import type { Config } from '../config/config-schema.ts';
import { databaseTarget } from '../config/load-config.ts';
import { createPostgresChargingStore } from '../storage/postgres/postgres-charging-store.ts';
import { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { createSqliteChargingStore } from '../storage/sqlite/sqlite-charging-store.ts';
import { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';

export interface OpenedAssurance {
  readonly deps: AssuranceDeps;
  close(): Promise<void>;
}

/**
 * Assurance straight on the database, for the CLI: the plain SQL stores (no charging engine,
 * no SQLite writer lock), because it only reads, in read-only snapshots, and may run next to
 * a serving node.
 */
export async function openAssurance(config: Config): Promise<OpenedAssurance> {
  const target = databaseTarget(config);
  if (target.kind === 'sqlite') {
    mkdirSync(dirname(target.path), { recursive: true });
    const database = new SqliteDatabase({ path: target.path,
      synchronous: config.sqliteSynchronous, busyTimeoutMs: config.sqliteBusyTimeoutMs });
    try {
      database.migrate();
      return { deps: depsOver(createSqliteChargingStore(database),
        sqliteBillingStore(database).findCdrsBySessions), close: () => database.close() };
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  const database = new PostgresDatabase({ connectionString: target.url,
    schema: config.postgresSchema, poolSize: config.postgresPoolSize,
    statementTimeoutMs: config.postgresStatementTimeoutMs });
  try {
    await database.migrate();
    return { deps: depsOver(createPostgresChargingStore(database),
      postgresBillingStore(database).findCdrsBySessions), close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function depsOver(store: ChargingStore,
  findCdrsBySessions: AssuranceDeps['findCdrsBySessions']): AssuranceDeps {
  return { store, ledger: createLedgerService({ store, clock: systemClock }),
    findCdrsBySessions };
}

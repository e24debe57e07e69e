import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assert,
  billingOptionsDefault,
  chargingDefaults,
  createChargingService,
  createLedgerService,
  didSettingsDefault,
  ManualClock,
  type BillingDeps,
  type ChargingService,
  type DidDeps,
  type DidSettings,
  type PackageDeps,
  type LedgerService,
  type ChargingStore,
  type RateDeck,
} from '@tollgate/core';
import { postgresBillingStore, sqliteBillingStore } from '../../src/billing/billing-stores.ts';
import {
  postgresDidStore,
  postgresPackageStore,
  sqliteDidStore,
  sqlitePackageStore,
} from '../../src/dids/did-stores.ts';
import { engineOnDatabase } from '../../src/storage/engine/open-engine.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { createPostgresChargingStore } from
  '../../src/storage/postgres/postgres-charging-store.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { createSqliteChargingStore } from '../../src/storage/sqlite/sqlite-charging-store.ts';
import type { StoreKind } from '../charging/charging-harness.ts';
import { dropSchema, postgresTestUrl, uniqueSchemaName } from '../storage/postgres-fixture.ts';

/** One running node of the DID domain over a real database (a restart opens a new one). */
export interface DidNode {
  readonly ledger: LedgerService;
  readonly charging: ChargingService;
  readonly dids: DidDeps;
  readonly packages: PackageDeps;
  readonly billing: BillingDeps;
  readonly decks: Map<string, RateDeck>;
  close(): Promise<void>;
}

/** Where the nodes' database lives: a SQLite file or a PostgreSQL schema, kept across nodes. */
export interface DidWorld {
  readonly kind: StoreKind;
  readonly clock: ManualClock;
  /** Carrier id -> its ledger account, per operator (`<operator>/<carrier>`). */
  readonly carriers: Map<string, string>;
  /**
   * A node: `engine` runs charging on the engine (one owner per database); without it the
   * ledger is plain SQL transactions, as with `chargingEngine: sql`, which several nodes may
   * share.
   */
  openNode(options?: { engine?: boolean; settings?: Partial<DidSettings> }): Promise<DidNode>;
  dispose(): Promise<void>;
}

export async function openDidWorld(kind: StoreKind, startMs: number): Promise<DidWorld> {
  const directory = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'tollgate-dids-')) : null;
  const schema = kind === 'postgres' ? uniqueSchemaName('dids') : null;
  const clock = new ManualClock(startMs);
  const carriers = new Map<string, string>();
  let sequence = 0;
  const openNode: DidWorld['openNode'] = async (options = {}) => {
    const database = directory !== null
      ? new SqliteDatabase({ path: join(directory, 'dids.sqlite') })
      : new PostgresDatabase({ connectionString: postgresTestUrl, schema: schema! });
    await database.migrate();
    const engine = options.engine === true ? engineOnDatabase(database) : null;
    await engine?.start();
    const sql: ChargingStore = database instanceof SqliteDatabase
      ? createSqliteChargingStore(database) : createPostgresChargingStore(database);
    const store = engine ?? sql;
    const decks = new Map<string, RateDeck>();
    const ledger = createLedgerService({ store, clock });
    const charging = createChargingService({ store, clock,
      decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
      settings: chargingDefaults, startedAtMs: clock.nowMs() });
    const billingStore = database instanceof SqliteDatabase ? sqliteBillingStore(database)
      : postgresBillingStore(database);
    const didStore = database instanceof SqliteDatabase ? sqliteDidStore(database)
      : postgresDidStore(database);
    const billing: BillingDeps = { store: billingStore, ledger, clock,
      options: billingOptionsDefault };
    const dids: DidDeps = { store: didStore, ledger, clock,
      settings: { ...didSettingsDefault, ...options.settings },
      billingSettings: (ids) => billingStore.findSettings(ids),
      carrierAccountOf: async (operatorId, carrierId) =>
        carriers.get(`${operatorId}/${carrierId}`) ?? null,
      newId: () => `dh-${process.pid}-${(sequence += 1)}-${Math.random().toString(36).slice(2)}` };
    const packages: PackageDeps = { ledger, charging, clock,
      store: database instanceof SqliteDatabase ? sqlitePackageStore(database)
        : postgresPackageStore(database),
      billingSettings: (ids) => billingStore.findSettings(ids),
      firstPeriod: dids.settings.firstPeriod };
    return { ledger, charging, dids, packages, billing, decks, close: async () => {
      await engine?.idle();
      await database.close();
    } };
  };
  return { kind, clock, carriers, openNode, dispose: async () => {
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
    if (schema !== null) await dropSchema(schema);
  } };
}

export function must<T>(result: { ok: true; value: T } | { ok: false; message: string },
  what: string): T {
  assert(result.ok, `${what}: ${result.ok ? '' : result.message}`);
  return result.value;
}

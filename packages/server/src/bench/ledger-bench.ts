import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  createLedgerService,
  micros,
  type Clock,
  type LedgerService,
  type LedgerStore,
} from '@tollgate/core';
import { PostgresDatabase, postgresDefaults } from '../storage/postgres/postgres-database.ts';
import { createPostgresLedgerStore } from '../storage/postgres/postgres-ledger-store.ts';
import { SqliteDatabase, sqliteDefaults } from '../storage/sqlite/sqlite-database.ts';
import { createSqliteLedgerStore } from '../storage/sqlite/sqlite-ledger-store.ts';
import { measureLedgerFloors } from './ledger-floors.ts';

/**
 * Ledger throughput: reserve + commit of a 3-level chain (customer -> reseller -> admin, paying
 * up to the root), with many requests in flight. "spread" puts the customers under many
 * resellers; "hot" puts them all under one reseller, whose row every request locks. Each store
 * runs with group commit off (one COMMIT per transaction, as before) and on (the default), so
 * one run shows both on the same machine; the floors (bare durable commits) come first.
 */
export interface LedgerBenchOptions {
  readonly operations?: number;
  readonly inFlight?: number;
  readonly customers?: number;
  readonly postgresUrl?: string;
  readonly postgresPoolSize?: number;
  /** Measure the bare commit floors too (a few seconds). */
  readonly floors?: boolean;
}

const defaults = { operations: 3_000, inFlight: 16, customers: 200, postgresPoolSize: 8,
  floors: true };

/** Group commit off (one unit per COMMIT) or at the store's default bound. */
type GroupCommit = 'off' | 'on';
const resellersSpread = 20;
const systemClock: Clock = { nowMs: () => Date.now() };

interface ScenarioResult {
  readonly store: string;
  readonly groupCommit: GroupCommit;
  readonly layout: 'spread' | 'hot';
  readonly operations: number;
  readonly reservationsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly refused: number;
}

async function must<T>(result: Promise<{ ok: true; value: T } | { ok: false; code: string }>):
  Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`bench setup failed: ${settled.code}`);
  return settled.value;
}

/** root -> admin -> resellers -> customers, with money everywhere it is needed. */
async function setUp(ledger: LedgerService, layout: 'spread' | 'hot', customers: number):
  Promise<Array<[string, string]>> {
  await must(ledger.createAccount({ id: 'root', tier: 'super_admin', parentId: null,
    name: 'root', currency: 'USD' }));
  await must(ledger.createAccount({ id: 'admin', tier: 'admin', parentId: 'root', name: 'admin',
    currency: 'USD', mode: 'postpaid', creditLimitMicros: micros(10n ** 15n) }));
  const resellers = layout === 'hot' ? 1 : resellersSpread;
  for (let index = 0; index < resellers; index += 1) {
    await must(ledger.createAccount({ id: `res${index}`, tier: 'reseller', parentId: 'admin',
      name: `res${index}`, currency: 'USD', mode: 'postpaid',
      creditLimitMicros: micros(10n ** 14n) }));
  }
  const pairs: Array<[string, string]> = [];
  for (let index = 0; index < customers; index += 1) {
    const reseller = `res${index % resellers}`;
    await must(ledger.createAccount({ id: `cus${index}`, tier: 'customer', parentId: reseller,
      name: `cus${index}`, currency: 'USD' }));
    await must(ledger.topup({ accountId: `cus${index}`, currency: 'USD',
      amountMicros: micros(10n ** 12n), reference: `t${index}`, idempotencyKey: `t${index}` }));
    pairs.push([`cus${index}`, reseller]);
  }
  return pairs;
}

async function reserveAndCommit(ledger: LedgerService, customer: string, reseller: string,
  id: string): Promise<boolean> {
  const legs = [
    { accountId: customer, parentId: reseller, currency: 'USD', amountMicros: micros(50_000n) },
    { accountId: reseller, parentId: 'admin', currency: 'USD', amountMicros: micros(30_000n) },
    { accountId: 'admin', parentId: 'root', currency: 'USD', amountMicros: micros(20_000n) },
  ];
  const reserved = await ledger.reserveChain({ reservationId: id, reference: id,
    idempotencyKey: `${id}#0`, legs, expiresAtMs: Date.now() + 60_000 });
  if (!reserved.ok) return false;
  const committed = await ledger.commitReservation({ reservationId: id,
    idempotencyKey: `${id}#1`, amountsMicros: legs.map((leg) => leg.amountMicros) });
  return committed.ok;
}

async function runScenario(store: LedgerStore, name: string, layout: 'spread' | 'hot',
  options: typeof defaults & { groupCommit: GroupCommit }): Promise<ScenarioResult> {
  const ledger = createLedgerService({ store, clock: systemClock });
  const pairs = await setUp(ledger, layout, options.customers);
  const latenciesMs: number[] = [];
  let next = 0;
  let refused = 0;
  const startedMs = performance.now();
  const loop = async (): Promise<void> => {
    for (let index = next++; index < options.operations; index = next++) {
      const [customer, reseller] = pairs[index % pairs.length] ?? ['', ''];
      const beganMs = performance.now();
      if (!(await reserveAndCommit(ledger, customer, reseller, `b${index}`))) refused += 1;
      latenciesMs.push(performance.now() - beganMs);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, loop));
  const elapsedS = (performance.now() - startedMs) / 1_000;
  latenciesMs.sort((a, b) => a - b);
  const at = (quantile: number): number =>
    Math.round((latenciesMs[Math.floor(quantile * (latenciesMs.length - 1))] ?? 0) * 100) / 100;
  return { store: name, groupCommit: options.groupCommit, layout, operations: options.operations,
    reservationsPerS: Math.round(options.operations / elapsedS), p50Ms: at(0.5), p99Ms: at(0.99),
    refused };
}

type ScenarioOptions = typeof defaults & { groupCommit: GroupCommit };

async function sqliteScenario(layout: 'spread' | 'hot', options: ScenarioOptions) {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const database = new SqliteDatabase({ path: join(directory, 'bench.sqlite'),
    synchronous: 'FULL', groupCommitUnitsMax: options.groupCommit === 'off' ? 1
      : sqliteDefaults.groupCommitUnitsMax });
  try {
    database.migrate();
    return await runScenario(createSqliteLedgerStore(database), 'sqlite (FULL)', layout, options);
  } finally {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function postgresScenario(layout: 'spread' | 'hot', url: string, options: ScenarioOptions) {
  const schema = `bench_${process.pid}_${layout}_${options.groupCommit}`;
  const database = new PostgresDatabase({ connectionString: url, schema,
    poolSize: options.postgresPoolSize, groupCommitUnitsMax: options.groupCommit === 'off' ? 1
      : postgresDefaults.groupCommitUnitsMax });
  try {
    await database.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await database.migrate();
    const result = await runScenario(createPostgresLedgerStore(database), 'postgres', layout,
      options);
    await database.pool.query(`DROP SCHEMA ${schema} CASCADE`);
    return result;
  } finally {
    await database.close();
  }
}

export async function runLedgerBench(
  overrides: LedgerBenchOptions = {},
): Promise<Record<string, unknown>> {
  const options = { ...defaults, ...overrides };
  const url = overrides.postgresUrl ?? process.env['DATABASE_URL_TEST'] ??
    'postgres://postgres@127.0.0.1:5432/test';
  const floors = options.floors ? await measureLedgerFloors(url) : null;
  const results: Array<ScenarioResult | { store: string; layout: string; error: string }> = [];
  const modes = ['off', 'on'] as const;
  for (const layout of ['spread', 'hot'] as const) {
    for (const groupCommit of modes) {
      results.push(await sqliteScenario(layout, { ...options, groupCommit }));
    }
  }
  for (const layout of ['spread', 'hot'] as const) {
    for (const groupCommit of modes) {
      try {
        results.push(await postgresScenario(layout, url, { ...options, groupCommit }));
      } catch (error) {
        results.push({ store: 'postgres', layout, error: String(error) });
      }
    }
  }
  return { benchmark: 'ledger reserve+commit, 3-level chain', inFlight: options.inFlight,
    customers: options.customers, postgresPoolSize: options.postgresPoolSize,
    groupCommitUnitsMax: { sqlite: sqliteDefaults.groupCommitUnitsMax,
      postgres: postgresDefaults.groupCommitUnitsMax },
    node: process.version, floors, results };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runLedgerBench();
  console.log('floors', JSON.stringify(report['floors']));
  console.table(report['results']);
  console.log(JSON.stringify(report, null, 2));
}

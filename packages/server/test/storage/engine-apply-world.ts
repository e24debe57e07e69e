import {
  chargingDefaults,
  createChargingEngine,
  createChargingService,
  createLedgerService,
  ManualClock,
  type ChargingEngine,
  type EngineRecord,
  type EngineStorage,
  type RateDeck,
} from '@tollgate/core';
import {
  postgresEngineStorage,
  sqliteEngineStorage,
} from '../../src/storage/engine/engine-storage-dialects.ts';
import type { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import type { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import {
  account,
  addDeck,
  scenarioStartMs,
  type ChargingHarness,
  type StoreKind,
} from '../charging/charging-harness.ts';
import { openTempPostgresLedger } from './postgres-fixture.ts';
import { openTempSqliteLedger } from './sqlite-fixture.ts';

// Real engine decisions for the appliers' comparison (engine-apply.test.ts): a seeded workload
// of calls through the charging use cases over the engine, whose batches are recorded as the
// engine appends them.

export type Database = SqliteDatabase | PostgresDatabase;

export interface TempDatabase {
  readonly database: Database;
  readonly storage: EngineStorage;
  close(): Promise<void>;
}

export async function openTempDatabase(kind: StoreKind): Promise<TempDatabase> {
  if (kind === 'sqlite') {
    const handle = await openTempSqliteLedger();
    return { database: handle.database, storage: sqliteEngineStorage(handle.database),
      close: handle.close };
  }
  const handle = await openTempPostgresLedger('engine_apply');
  return { database: handle.database, storage: postgresEngineStorage(handle.database),
    close: handle.close };
}

/** The charging use cases over an engine whose every batch is kept, in commit order. */
export interface RecordedWorld {
  readonly harness: ChargingHarness;
  readonly engine: ChargingEngine;
  readonly batches: (readonly EngineRecord[])[];
}

export async function recordedWorld(storage: EngineStorage): Promise<RecordedWorld> {
  const batches: (readonly EngineRecord[])[] = [];
  const engine = createChargingEngine({
    storage: { ...storage, appendBatch: async (records) => {
      batches.push(records);
      await storage.appendBatch(records);
    } },
    nowMs: () => Date.now(),
    nextTurn: () => new Promise((resolve) => setImmediate(resolve)),
  });
  await engine.start();
  const clock = new ManualClock(scenarioStartMs);
  const decks = new Map<string, RateDeck>();
  const ledger = createLedgerService({ store: engine, clock });
  // Short slices: calls nibble (update the reservation) often and run out of money.
  const charging = createChargingService({ store: engine, clock,
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    settings: { ...chargingDefaults, sliceSeconds: 20 }, startedAtMs: scenarioStartMs });
  const harness: ChargingHarness = { store: engine, ledger, charging, clock, decks,
    close: () => engine.idle() };
  return { harness, engine, batches };
}

export const customerIds = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'] as const;

/**
 * op (root) > ad (admin) > r1, r2 (resellers) > six customers: prepaid with small and large
 * top-ups, one postpaid with a credit limit, one with a daily limit, one paying in EUR (an
 * exchange rate), one with a bundle. Customers are created concurrently, so one batch holds
 * several new accounts and their books.
 */
export async function provision(harness: ChargingHarness): Promise<void> {
  addDeck(harness, 'carrier', 'prefix,rate,initial_increment_s,increment_s\n44,0.10,30,6\n');
  addDeck(harness, 'wholesale', 'prefix,rate,initial_increment_s,increment_s\n44,0.15,30,6\n');
  addDeck(harness, 'retail',
    'prefix,rate,connect_fee,initial_increment_s,increment_s\n44,0.60,0.05,30,6\n');
  await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null,
    deck: 'carrier' });
  await account(harness, { id: 'ad', tier: 'admin', parentId: 'op', deck: 'wholesale',
    topup: '20' });
  await Promise.all(['r1', 'r2'].map((id) => account(harness, { id, tier: 'reseller',
    parentId: 'ad', deck: 'wholesale', topup: '3' })));
  await Promise.all([
    harness.ledger.setExchangeRate({ fromCurrency: 'USD', toCurrency: 'EUR', rate: '0.9',
      validFromMs: 0 }),
    harness.ledger.setExchangeRate({ fromCurrency: 'USD', toCurrency: 'EUR', rate: '0.5',
      validFromMs: 0 }),
  ]);
  const retail = { tier: 'customer', deck: 'retail' } as const;
  await Promise.all([
    account(harness, { ...retail, id: 'c0', parentId: 'r1', topup: '0.40' }),
    account(harness, { ...retail, id: 'c1', parentId: 'r1', topup: '5' }),
    account(harness, { ...retail, id: 'c2', parentId: 'r1', mode: 'postpaid',
      creditLimit: '1.00' }),
    account(harness, { ...retail, id: 'c3', parentId: 'r2', topup: '5', dailyLimit: '0.50' }),
    account(harness, { ...retail, id: 'c4', parentId: 'r2', topup: '2', currency: 'EUR' }),
    account(harness, { ...retail, id: 'c5', parentId: 'r2', topup: '1' }),
  ]);
  await harness.charging.createBundle({ bundleId: 'b5', accountId: 'c5', prefixes: ['44'],
    timeBand: null, seconds: 3_600, validUntilMs: null });
}

interface Call {
  readonly id: string;
  next: number;
  usedSeconds: number;
}

const callee = '441234567';
/** Calls started per round at most, and the seconds a round lasts at most. */
const startsPerRoundMax = 3;
const roundSecondsMax = 40;

/**
 * Rounds of calls: each round starts a few calls and moves every live one (an update, a
 * terminate, or silence), all sent at once so that one batch holds many decisions. Some
 * requests are sent twice at once (retransmissions), and some calls get an update before
 * their authorize was answered.
 */
export async function driveCalls(harness: ChargingHarness, random: () => number,
  rounds: number): Promise<void> {
  const { charging } = harness;
  let live: Call[] = [];
  let serial = 0;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  for (let round = 0; round < rounds; round += 1) {
    const seconds = 1 + Math.floor(random() * roundSecondsMax);
    harness.clock.advanceMs(seconds * 1_000);
    const work: Promise<unknown>[] = [];
    const moving = live;
    live = [];
    for (const call of moving) {
      call.usedSeconds += seconds;
      const roll = random();
      const request = { sessionId: call.id, requestNumber: call.next,
        usedSeconds: call.usedSeconds };
      const times = random() < 0.15 ? 2 : 1;
      if (roll < 0.2) {
        for (let copy = 0; copy < times; copy += 1) work.push(charging.terminate(request));
        continue;
      }
      if (roll < 0.8) {
        for (let copy = 0; copy < times; copy += 1) work.push(charging.update(request));
        call.next += 1;
      }
      live.push(call);
    }
    const starts = 1 + Math.floor(random() * startsPerRoundMax);
    for (let index = 0; index < starts; index += 1) {
      const call: Call = { id: `s${serial}`, next: 1, usedSeconds: 0 };
      serial += 1;
      work.push(charging.authorize({ sessionId: call.id, requestNumber: 0,
        accountId: pick(customerIds), caller: '15550001', callee }));
      if (random() < 0.3) {
        work.push(charging.update({ sessionId: call.id, requestNumber: 1, usedSeconds: 0 }));
        call.next = 2;
      }
      live.push(call);
    }
    await Promise.all(work);
  }
}

/**
 * The end of the day: a suspension and a reactivation, a one-shot event, a kill, and the
 * sweeper closing the calls whose switch went silent (their holds expire too).
 */
export async function closeTheDay(harness: ChargingHarness): Promise<void> {
  const { charging, ledger } = harness;
  await Promise.all([
    ledger.updateAccount({ id: 'c1', changes: { state: 'suspended' } }),
    charging.event({ eventId: 'e1', accountId: 'c3', caller: '15550001', callee,
      durationSeconds: 61 }),
    charging.authorize({ sessionId: 'to-kill', requestNumber: 0, accountId: 'c2',
      caller: '15550001', callee }),
  ]);
  await ledger.updateAccount({ id: 'c1', changes: { state: 'active' } });
  harness.clock.advanceMs(5_000);
  await charging.kill({ sessionId: 'to-kill' });
  harness.clock.advanceMs(3_600_000);
  await charging.sweepStaleSessions();
  await ledger.expireReservations();
}

import {
  assert,
  chargingDefaults,
  createChargingService,
  createLedgerService,
  ManualClock,
  parseMicros,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  type ChargingService,
  type FraudAlert,
  type FraudConfig,
  type LedgerService,
  type Micros,
  type RateDeck,
} from '@tollgate/core';
import { openFraudServices, type FraudServices } from '../../src/fraud/fraud-services.ts';
import { postgresFraudStores, sqliteFraudStores } from '../../src/fraud/fraud-stores.ts';
import { engineOnDatabase } from '../../src/storage/engine/open-engine.ts';
import type { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import type { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { openTempPostgresLedger } from '../storage/postgres-fixture.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';

export const fraudStartMs = Date.parse('2026-11-02T12:00:00Z');

export const fraudTestConfig = {
  fraudTickIntervalMs: 1_000, fraudSnapshotIntervalMs: 60_000, fraudWebhookUrl: '',
  fraudWebhookSecret: '', fraudWebhookAttemptsMax: 5, fraudWebhookBackoffMs: 1_000,
  fraudWebhookBackoffMsMax: 60_000, fraudWebhookTimeoutMs: 2_000, natsUrl: '',
  natsSubjectPrefix: 'tollgate',
} as const;

/** Real charging over a real store, wrapped with fraud control, under a manual clock. */
export interface FraudHarness {
  readonly clock: ManualClock;
  readonly ledger: LedgerService;
  readonly plain: ChargingService;
  readonly charging: ChargingService;
  readonly fraud: FraudServices;
  readonly decks: Map<string, RateDeck>;
  readonly suspendedHook: string[];
  /** Closes fraud and charging but keeps the database, and opens them again (a restart). */
  restart(): Promise<FraudHarness>;
  alerts(scope?: string): Promise<FraudAlert[]>;
  close(): Promise<void>;
}

type Handle = { close(): Promise<void> } & ({ kind: 'sqlite'; database: SqliteDatabase } |
  { kind: 'postgres'; database: PostgresDatabase });

export async function openFraudHarness(kind: 'sqlite' | 'postgres' = 'sqlite',
  clock = new ManualClock(fraudStartMs), decks = new Map<string, RateDeck>(),
  existing?: Handle, sliceSeconds = chargingDefaults.sliceSeconds): Promise<FraudHarness> {
  let handle: Handle;
  if (existing !== undefined) handle = existing;
  else if (kind === 'sqlite') {
    const opened = await openTempSqliteLedger({ synchronous: 'OFF' });
    handle = { kind, database: opened.database, close: opened.close };
  } else {
    const opened = await openTempPostgresLedger('fraud');
    handle = { kind, database: opened.database, close: opened.close };
  }
  const store = engineOnDatabase(handle.database);
  await store.start();
  const stores = handle.kind === 'sqlite' ? sqliteFraudStores(handle.database)
    : postgresFraudStores(handle.database);
  const ledger = createLedgerService({ store, clock });
  const plain = createChargingService({ store, clock,
    settings: { ...chargingDefaults, sliceSeconds },
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    startedAtMs: clock.nowMs() });
  const suspendedHook: string[] = [];
  const errors: unknown[] = [];
  const fraud = await openFraudServices({ config: fraudTestConfig, clock, ledger, stores,
    timers: false, onError: (error) => errors.push(error),
    onAccountSuspended: async (accountId) => {
      suspendedHook.push(accountId);
    } });
  return {
    clock, ledger, plain, charging: fraud.wrap(plain), fraud, decks, suspendedHook,
    restart: async () => {
      await fraud.close();
      await store.idle();
      return openFraudHarness(kind, clock, decks, handle, sliceSeconds);
    },
    alerts: (scope = 'op') => stores.fraud.listAlerts({ scopeAccountId: scope, limit: 1_000 }),
    close: async () => {
      await fraud.close();
      await store.idle();
      await handle.close();
      assert(errors.length === 0, `fraud errors: ${errors.map(String).join('; ')}`);
    },
  };
}

export function money(text: string): Micros {
  const parsed = parseMicros(text);
  assert(parsed.ok, `test amount ${text}`);
  return parsed.value;
}

export function addDeck(harness: FraudHarness, id: string, rows: string[]): void {
  const settings = parseRateDeckSettings({ currency: 'USD' });
  assert(settings.ok, 'deck settings');
  const csv = ['prefix,destination,rate,connect_fee,initial_increment_s,increment_s', ...rows];
  const deck = parseRateDeckCsv(csv.join('\n'), { settings: settings.value });
  assert(deck.ok, `deck ${id}`);
  prefixIndexOf(deck.value);
  harness.decks.set(id, deck.value);
}

/** op (root, free) > customers; each customer prepaid with `topup`, retail deck. */
export async function seedTree(harness: FraudHarness, customers: string[], topup = '1000') {
  addDeck(harness, 'retail', ['44,United Kingdom,0.05,0,1,1', '49,Germany,0.06,0,1,1',
    '33,France,0.05,0,1,1', '1,United States,0.02,0,1,1', '234,Nigeria,0.40,0,1,1',
    '88213,Premium satellite,2.50,0,1,1', '881,Satellite,1.20,0,1,1']);
  const root = await harness.ledger.createAccount({ id: 'op', tier: 'super_admin',
    parentId: null, name: 'op', currency: 'USD' });
  assert(root.ok, 'root');
  for (const id of customers) {
    const created = await harness.ledger.createAccount({ id, tier: 'customer', parentId: 'op',
      name: id, currency: 'USD', rateDeckId: 'retail' });
    assert(created.ok, `customer ${id}`);
    const topped = await harness.ledger.topup({ accountId: id, currency: 'USD',
      amountMicros: money(topup), reference: `seed-${id}`, idempotencyKey: `seed-${id}` });
    assert(topped.ok, `topup ${id}`);
  }
}

/** Every rule on, with thresholds an ordinary retail customer never reaches. */
export function strictConfig(overrides: Partial<FraudConfig> = {}): FraudConfig {
  return {
    spendVelocity: { tenMinutesMicrosMax: money('20'), hourMicrosMax: money('50'),
      dayMicrosMax: money('200'), action: 'suspend' },
    callVelocity: { attemptsPerMinuteMax: 30, action: 'alert' },
    concurrentCalls: { callsMax: 20, action: 'suspend' },
    riskLists: true,
    destinationAnomaly: { historyDays: 30, windowMs: 3_600_000, newSpendSharePercentMin: 50,
      newSpendMicrosMin: money('5'), granularity: 'country', prefixDigits: 3, learningDays: 7,
      action: 'alert' },
    shortCallBurst: { shortCallSecondsMax: 6, windowMs: 600_000, shortCallsMin: 20,
      sharePercentMin: 50, action: 'alert' },
    costPerMinute: { ceilingMicros: money('1.00'), usedSecondsMin: 30, action: 'alert' },
    unusualHours: { learningDays: 7, action: 'alert' },
    creditLimit: { thresholdsPercent: [80, 95] },
    coolDownMs: 3_600_000,
    alertRepeatMs: 600_000,
    ...overrides,
  };
}

/** A whole call: authorize, updates every `sliceS`, terminate at `durationS`. */
export async function placeCall(harness: FraudHarness, call: {
  sessionId: string; accountId: string; callee: string; durationS: number; sliceS?: number;
}) {
  const authorized = await harness.charging.authorize({ sessionId: call.sessionId,
    requestNumber: 0, accountId: call.accountId, caller: '100', callee: call.callee });
  assert(authorized.ok, `authorize ${call.sessionId}`);
  if (authorized.value.status !== 'granted') return authorized.value.status;
  const sliceS = call.sliceS ?? call.durationS;
  let used = 0;
  let request = 1;
  while (used + sliceS < call.durationS) {
    harness.clock.advanceMs(sliceS * 1_000);
    used += sliceS;
    const updated = await harness.charging.update({ sessionId: call.sessionId,
      requestNumber: request, usedSeconds: used });
    assert(updated.ok, `update ${call.sessionId}`);
    request += 1;
  }
  harness.clock.advanceMs((call.durationS - used) * 1_000);
  const ended = await harness.charging.terminate({ sessionId: call.sessionId,
    requestNumber: request, usedSeconds: call.durationS });
  assert(ended.ok, `terminate ${call.sessionId}`);
  return 'terminated';
}

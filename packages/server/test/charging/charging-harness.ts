import {
  assert,
  createChargingService,
  createLedgerService,
  chargingDefaults,
  ManualClock,
  parseMicros,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  type ChargingService,
  type ChargingSettings,
  type ChargingStore,
  type LedgerService,
  type Micros,
  type RateDeck,
} from '@tollgate/core';
import { engineOnDatabase } from '../../src/storage/engine/open-engine.ts';
import { openTempPostgresLedger } from '../storage/postgres-fixture.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';

/** The charging use cases over a real store (SQLite file or PostgreSQL schema). */
export interface ChargingHarness {
  readonly store: ChargingStore;
  readonly ledger: LedgerService;
  readonly charging: ChargingService;
  readonly clock: ManualClock;
  readonly decks: Map<string, RateDeck>;
  close(): Promise<void>;
}

export const storeKinds = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof storeKinds)[number];

export const scenarioStartMs = Date.parse('2026-11-30T12:00:00Z');

export async function openHarness(
  kind: StoreKind,
  settings: Partial<ChargingSettings> = {},
): Promise<ChargingHarness> {
  const handle = kind === 'sqlite'
    ? await openTempSqliteLedger()
    : await openTempPostgresLedger('charging');
  // The charging engine (one in-memory owner, batched commits) over the real database.
  const store = engineOnDatabase(handle.database);
  await store.start();
  const clock = new ManualClock(scenarioStartMs);
  const decks = new Map<string, RateDeck>();
  const ledger = createLedgerService({ store, clock });
  const charging = createChargingService({ store, clock,
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    settings: { ...chargingDefaults, ...settings }, startedAtMs: scenarioStartMs });
  return { store, ledger, charging, clock, decks, close: async () => {
    await store.idle();
    await handle.close();
  } };
}

export function money(text: string): Micros {
  const parsed = parseMicros(text, { allowNegative: true });
  assert(parsed.ok, `test amount ${text} parses`);
  return parsed.value;
}

export function addDeck(harness: ChargingHarness, id: string, csv: string, currency = 'USD') {
  const settings = parseRateDeckSettings({ currency });
  assert(settings.ok, 'test deck settings are valid');
  const deck = parseRateDeckCsv(csv, { settings: settings.value });
  assert(deck.ok, `test deck ${id} parses`);
  prefixIndexOf(deck.value);
  harness.decks.set(id, deck.value);
}

type Tier = 'super_admin' | 'admin' | 'reseller' | 'customer';

/** Creates an account and, when `topup` is given, tops it up. Fails the test on a problem. */
export async function account(harness: ChargingHarness, spec: {
  id: string;
  tier: Tier;
  parentId?: string;
  mode?: 'prepaid' | 'postpaid';
  deck?: string;
  creditLimit?: string | null;
  dailyLimit?: string;
  concurrentCallsMax?: number;
  topup?: string;
  currency?: string;
}) {
  const mode = spec.mode ?? 'prepaid';
  const created = await harness.ledger.createAccount({
    id: spec.id, tier: spec.tier, parentId: spec.parentId ?? null, name: spec.id,
    currency: spec.currency ?? 'USD', mode,
    creditLimitMicros: spec.creditLimit === null ? null
      : money(spec.creditLimit ?? '0'),
    dailyLimitMicros: spec.dailyLimit === undefined ? null : money(spec.dailyLimit),
    monthlyLimitMicros: null, concurrentCallsMax: spec.concurrentCallsMax ?? null,
    timeZone: 'UTC', rateDeckId: spec.deck ?? null,
  });
  assert(created.ok, `account ${spec.id}: ${created.ok ? '' : created.message}`);
  if (spec.topup !== undefined) {
    const topped = await harness.ledger.topup({ accountId: spec.id,
      currency: spec.currency ?? 'USD', amountMicros: money(spec.topup),
      reference: `topup-${spec.id}`, idempotencyKey: `topup-${spec.id}` });
    assert(topped.ok, `topup ${spec.id}: ${topped.ok ? '' : topped.message}`);
  }
}

/** Balance, reserved and posted of an account's main book as decimal-free micros. */
export async function balances(harness: ChargingHarness, id: string) {
  const view = await harness.ledger.getAccount(id);
  assert(view.ok, `account ${id} exists`);
  return view.value;
}

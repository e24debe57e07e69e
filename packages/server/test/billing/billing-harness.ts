import {
  billingOptionsDefault,
  chargingDefaults,
  createChargingService,
  createLedgerService,
  mainBookId,
  ManualClock,
  revenueBookId,
  type AccountId,
  type BillingDeps,
  type BillingOptions,
  type ChargingSettings,
  type LedgerStore,
  type RateDeck,
  type Transfer,
} from '@tollgate/core';
import { postgresBillingStore, sqliteBillingStore } from
  '../../src/billing/billing-stores.ts';
import { engineOnDatabase } from '../../src/storage/engine/open-engine.ts';
import type { ChargingHarness, StoreKind } from '../charging/charging-harness.ts';
import { openTempPostgresLedger } from '../storage/postgres-fixture.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';

/** Charging over the engine plus billing over the same real database, one manual clock. */
export interface BillingHarness extends ChargingHarness {
  readonly billing: BillingDeps;
  /** The ledger store straight on the database: an independent read of the journal. */
  readonly journal: LedgerStore;
  /** The PostgreSQL schema (another node may open it); null on SQLite. */
  readonly schema: string | null;
}

export async function openBillingHarness(kind: StoreKind, options: {
  startMs: number;
  charging?: Partial<ChargingSettings>;
  billing?: Partial<BillingOptions>;
}): Promise<BillingHarness> {
  const handle = kind === 'sqlite' ? await openTempSqliteLedger()
    : await openTempPostgresLedger('billing');
  const store = engineOnDatabase(handle.database);
  await store.start();
  const clock = new ManualClock(options.startMs);
  const decks = new Map<string, RateDeck>();
  const ledger = createLedgerService({ store, clock });
  const charging = createChargingService({ store, clock,
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    settings: { ...chargingDefaults, ...options.charging }, startedAtMs: options.startMs });
  const billingStore = kind === 'sqlite'
    ? sqliteBillingStore(handle.database as never)
    : postgresBillingStore(handle.database as never);
  const billing: BillingDeps = { store: billingStore, ledger, clock,
    options: { ...billingOptionsDefault, ...options.billing },
    destinationName: (deckId, prefix) =>
      decks.get(deckId)?.rowsByPrefix.get(prefix)?.[0]?.destination ?? null };
  return { store, ledger, charging, clock, decks, billing, journal: handle.store,
    schema: 'schema' in handle ? handle.schema : null,
    close: async () => {
      await store.idle();
      await handle.close();
    } };
}

/**
 * The charges (minus refunds) an account paid its parent in [fromMs, toMs), read from the
 * journal through the ledger's own port, not through billing's SQL.
 */
export async function ledgerLevelCharges(harness: BillingHarness, query: {
  accountId: string; parentId: string; currency?: string; fromMs: number; toMs: number;
}): Promise<{ totalMicros: bigint; transfers: Transfer[] }> {
  await harness.store.idle();
  const main = mainBookId(query.accountId as AccountId);
  const revenue = revenueBookId(query.parentId as AccountId, (query.currency ?? 'USD') as never);
  const all = await harness.journal.transaction((tx) => tx.listTransfers({ bookId: main,
    afterId: null, limit: 100_000 }), { readOnly: true });
  const transfers = all.filter((transfer) => transfer.createdAtMs >= query.fromMs &&
    transfer.createdAtMs < query.toMs && ((transfer.kind === 'charge' &&
      transfer.creditBookId === revenue) || (transfer.kind === 'refund' &&
      transfer.debitBookId === revenue)));
  const totalMicros = transfers.reduce((total, transfer) =>
    total + (transfer.kind === 'charge' ? transfer.amountMicros : -transfer.amountMicros), 0n);
  return { totalMicros, transfers };
}

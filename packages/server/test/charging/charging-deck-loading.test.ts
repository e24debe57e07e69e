import {
  ManualClock,
  chargingDefaults,
  createChargingService,
  createLedgerService,
} from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeckCatalog } from '../../src/decks/deck-catalog.ts';
import { createPostgresDeckStore } from '../../src/storage/postgres/postgres-api-stores.ts';
import { createPostgresChargingStore } from
  '../../src/storage/postgres/postgres-charging-store.ts';
import { createSqliteDeckStore } from '../../src/storage/sqlite/sqlite-api-stores.ts';
import { createSqliteChargingStore } from '../../src/storage/sqlite/sqlite-charging-store.ts';
import { openTempPostgresLedger } from '../storage/postgres-fixture.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';
import { money, scenarioStartMs, storeKinds, type StoreKind } from './charging-harness.ts';

// A deck that is not in the catalog's cache (evicted, or imported by another node) is read from
// the same database the charging transaction is using. Charging must fetch it outside its
// transaction: reading it inside would queue a second transaction behind the first on one
// SQLite connection (or a group-commit batch) and never finish.
async function openStores(kind: StoreKind) {
  if (kind === 'sqlite') {
    const handle = await openTempSqliteLedger();
    return { close: handle.close, charging: createSqliteChargingStore(handle.database),
      decks: createSqliteDeckStore(handle.database) };
  }
  const handle = await openTempPostgresLedger('deckload');
  return { close: handle.close, charging: createPostgresChargingStore(handle.database),
    decks: createPostgresDeckStore(handle.database) };
}

describe.each(storeKinds)('charging with decks read on demand on %s', (kind) => {
  let close = async () => {};
  afterEach(async () => close());

  it('prices a call whose deck was evicted from the cache', async () => {
    const stores = await openStores(kind);
    close = stores.close;
    const clock = new ManualClock(scenarioStartMs);
    let next = 0;
    const catalog = createDeckCatalog({ store: stores.decks, clock, decksCachedMax: 1,
      uploadsQueuedMax: 2,
      newId: (prefix) => `${prefix}_${(next += 1)}` });
    const imports = [];
    for (const rate of ['0.60', '0.30']) {
      const imported = await catalog.importDeck({ name: rate, ownerAccountId: null,
        settings: { currency: 'USD' }, csvText: `prefix,rate\n44,${rate}\n`, bands: null });
      if (!imported.ok) throw new Error(imported.message);
      imports.push(imported.value.id);
    }
    const ledger = createLedgerService({ store: stores.charging, clock });
    await ledger.createAccount({ id: 'op', tier: 'super_admin', parentId: null, name: 'op',
      currency: 'USD', mode: 'postpaid', creditLimitMicros: null });
    await ledger.createAccount({ id: 'c', tier: 'customer', parentId: 'op', name: 'c',
      currency: 'USD', rateDeckId: imports[0]! });
    await ledger.topup({ accountId: 'c', currency: 'USD', amountMicros: money('1'),
      reference: 't', idempotencyKey: 't' });
    const charging = createChargingService({ store: stores.charging, clock, decks: catalog,
      settings: chargingDefaults, startedAtMs: scenarioStartMs });
    // The cache holds one deck: the second import evicted the customer's deck.
    expect(catalog.loadedDeck(imports[0]!)).toBeUndefined();
    const started = await charging.authorize({ sessionId: 's', requestNumber: 0,
      accountId: 'c', caller: '1', callee: '4420' });
    expect(started).toMatchObject({ ok: true, value: { status: 'granted', grantedSeconds: 60 } });
    // Evict it again, then settle: the terminate must load it the same way.
    await catalog.getDeck(imports[1]!);
    clock.advanceMs(30_000);
    const ended = await charging.terminate({ sessionId: 's', requestNumber: 1, usedSeconds: 30 });
    expect(ended).toMatchObject({ ok: true, value: { status: 'terminated' } });
    expect(ended.ok && ended.value.costMicros).toBe(money('0.30'));
  }, 20_000);
});

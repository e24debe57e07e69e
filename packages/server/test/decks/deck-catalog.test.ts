import { ManualClock } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { createDeckCatalog } from '../../src/decks/deck-catalog.ts';
import type { DeckStore, NewDeck, TimeBandsSource } from '../../src/decks/deck-store.ts';

/** A store in memory that counts reads, to see what the catalog caches. */
function memoryDeckStore() {
  const decks = new Map<string, NewDeck>();
  const bands = new Map<string, TimeBandsSource>();
  const reads = { count: 0 };
  const treeCount = (root: string) => [...decks.values()]
    .filter((deck) => deck.rootAccountId === root).length;
  const store: DeckStore = {
    saveDeck: async (deck, quota) => {
      if (deck.rootAccountId !== null && quota.treeDecksMax !== null &&
        treeCount(deck.rootAccountId) >= quota.treeDecksMax) return 'deck_quota_exceeded';
      decks.set(deck.id, deck);
      return 'saved';
    },
    countTreeDecks: async (root) => treeCount(root),
    removeUnfinishedParts: async () => 0,
    findDeck: async (id) => {
      reads.count += 1;
      return decks.get(id) ?? null;
    },
    findDeckSummary: async (id) => decks.get(id) ?? null,
    listDecks: async ({ limit }) => [...decks.values()].slice(0, limit),
    saveTimeBands: async (source) => { bands.set(source.id, source); },
    findTimeBands: async (id) => bands.get(id) ?? null,
  };
  return { store, reads };
}

function catalogOver(store: DeckStore, decksCachedMax: number) {
  let next = 0;
  return createDeckCatalog({ store, clock: new ManualClock(0), decksCachedMax,
    uploadsQueuedMax: 2, newId: (prefix) => `${prefix}_${(next += 1)}` });
}

const csv = 'prefix,rate\n44,0.06\n1,0.01\n';

describe('deck catalog', () => {
  it('imports, caches, and evicts the least recently used beyond its bound', async () => {
    const { store, reads } = memoryDeckStore();
    const catalog = catalogOver(store, 2);
    const ids = [];
    for (let index = 0; index < 3; index += 1) {
      const imported = await catalog.importDeck({ name: `d${index}`, ownerAccountId: null,
        settings: { currency: 'USD' }, csvText: csv, bands: null });
      if (!imported.ok) throw new Error(imported.message);
      ids.push(imported.value.id);
    }
    expect(catalog.cachedCount()).toBe(2);
    expect((await catalog.getDeck(ids[2]!))?.rowCount).toBe(2);
    expect(reads.count).toBe(0);
    // The first deck was evicted: it is parsed again from its stored source.
    expect((await catalog.getDeck(ids[0]!))?.rowCount).toBe(2);
    expect(reads.count).toBe(1);
    expect(await catalog.getDeck('deck_missing')).toBeNull();
  });
  it('parses a stored deck once for many concurrent first calls', async () => {
    const { store, reads } = memoryDeckStore();
    await store.saveDeck({ id: 'stored', name: 's', ownerAccountId: null, rowCount: 2,
      bandsId: null, createdAtMs: 0, csvText: csv, bandsText: null, rootAccountId: null,
      settings: { currency: 'USD' as never, decimals: 4, rounding: 'half_up', zone: 'UTC' } },
    { treeDecksMax: null });
    const catalog = catalogOver(store, 4);
    const decks = await Promise.all(Array.from({ length: 10 }, () => catalog.getDeck('stored')));
    expect(new Set(decks).size).toBe(1);
    expect(reads.count).toBe(1);
    expect(await catalogOver(store, 4).warmUp(10)).toBe(1);
  });
  it('refuses a deck naming a band its time-band file lacks, with the line', async () => {
    const { store } = memoryDeckStore();
    const catalog = catalogOver(store, 2);
    const bands = await catalog.importTimeBands({ name: 'b', ownerAccountId: null,
      csvText: 'band,days,start,end\npeak,Mon-Fri,08:00,18:00\n' });
    if (!bands.ok) throw new Error(bands.message);
    const deck = await catalog.importDeck({ name: 'x', ownerAccountId: null,
      settings: { currency: 'USD' }, csvText: 'prefix,rate,time_band\n44,0.1,night\n',
      bands: bands.value });
    expect(deck).toMatchObject({ ok: false, code: 'unknown_time_band', line: 2 });
  });
});

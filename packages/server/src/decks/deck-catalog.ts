import {
  parseRateDeckCsv,
  parseRateDeckSettings,
  parseTimeBandsCsv,
  prefixIndexOf,
  success,
  type Clock,
  type DeckImportCode,
  type DeckProvider,
  type RateDeck,
  type RateDeckSettingsInput,
  type Result,
  type TimeBandSet,
} from '@tollgate/core';
import type { DeckStore, DeckSummary, TimeBandsSource } from './deck-store.ts';

export interface DeckImportInput {
  /** Only the demo seed names its decks; the API lets the server choose. */
  readonly id?: string;
  readonly name: string;
  readonly ownerAccountId: string | null;
  readonly settings: RateDeckSettingsInput;
  readonly csvText: string;
  /** The time-band upload the deck's `time_band` column names, already looked up. */
  readonly bands: TimeBandsSource | null;
}

export interface TimeBandsImportInput {
  readonly name: string;
  readonly ownerAccountId: string | null;
  readonly csvText: string;
}

/**
 * The decks of the running process: imports (validate, parse, store) and the `DeckProvider`
 * charging reads from. Parsed decks are cached, least recently used first out, because parsing
 * a large deck takes a second; the prefix index is built as soon as a deck is parsed, so the
 * first call on a deck does not pay for it. Decks never change once stored, so the cache
 * cannot go stale.
 */
export interface DeckCatalog extends DeckProvider {
  importDeck(input: DeckImportInput): Promise<Result<DeckSummary, DeckImportCode>>;
  importTimeBands(input: TimeBandsImportInput): Promise<Result<TimeBandsSource, DeckImportCode>>;
  /** Parses up to `count` stored decks ahead of the first calls (at start-up). */
  warmUp(count: number): Promise<number>;
  readonly cachedCount: () => number;
}

export interface DeckCatalogDeps {
  readonly store: DeckStore;
  readonly clock: Clock;
  readonly decksCachedMax: number;
  /** Server-side ids: `deck_...`, `bands_...`. */
  readonly newId: (prefix: 'deck' | 'bands') => string;
}

export function createDeckCatalog(deps: DeckCatalogDeps): DeckCatalog {
  const cache = new Map<string, RateDeck>();
  // One parse per deck even when many calls ask for it at once after a restart.
  const loading = new Map<string, Promise<RateDeck | null>>();
  const remember = (id: string, deck: RateDeck): void => {
    prefixIndexOf(deck);
    cache.delete(id);
    cache.set(id, deck);
    while (cache.size > deps.decksCachedMax) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  };
  const load = async (id: string): Promise<RateDeck | null> => {
    const source = await deps.store.findDeck(id);
    if (source === null) return null;
    const deck = parseStoredDeck(source.csvText, source.bandsText, source.settings);
    remember(id, deck);
    return deck;
  };
  const loadedDeck = (id: string): RateDeck | undefined => {
    const cached = cache.get(id);
    if (cached !== undefined) {
      // Most recently used last: eviction takes the first key.
      cache.delete(id);
      cache.set(id, cached);
    }
    return cached;
  };
  const getDeck = async (id: string): Promise<RateDeck | null> => {
    const cached = loadedDeck(id);
    if (cached !== undefined) return cached;
    let pending = loading.get(id);
    if (pending === undefined) {
      pending = load(id).finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  };
  return {
    getDeck,
    loadedDeck,
    importDeck: async (input) => {
      const parsed = parseDeckInput(input);
      if (!parsed.ok) return parsed;
      const summary: DeckSummary = { id: input.id ?? deps.newId('deck'), name: input.name,
        ownerAccountId: input.ownerAccountId, settings: parsed.value.settings,
        rowCount: parsed.value.rowCount, bandsId: input.bands?.id ?? null,
        createdAtMs: deps.clock.nowMs() };
      await deps.store.saveDeck({ ...summary, csvText: input.csvText,
        bandsText: input.bands?.csvText ?? null });
      remember(summary.id, parsed.value);
      return success(summary);
    },
    importTimeBands: async (input) => {
      const parsed = parseTimeBandsCsv(input.csvText);
      if (!parsed.ok) return parsed;
      const source: TimeBandsSource = { id: deps.newId('bands'), name: input.name,
        ownerAccountId: input.ownerAccountId, bandCount: parsed.value.size,
        csvText: input.csvText, createdAtMs: deps.clock.nowMs() };
      await deps.store.saveTimeBands(source);
      return success(source);
    },
    warmUp: async (count) => {
      const summaries = await deps.store.listDecks({ limit: Math.min(count,
        deps.decksCachedMax) });
      for (const summary of summaries) await getDeck(summary.id);
      return summaries.length;
    },
    cachedCount: () => cache.size,
  };
}

function parseDeckInput(input: DeckImportInput): Result<RateDeck, DeckImportCode> {
  const settings = parseRateDeckSettings(input.settings);
  if (!settings.ok) return settings;
  let bands: TimeBandSet | undefined;
  if (input.bands !== null) {
    const parsedBands = parseTimeBandsCsv(input.bands.csvText);
    if (!parsedBands.ok) return parsedBands;
    bands = parsedBands.value;
  }
  return parseRateDeckCsv(input.csvText, { settings: settings.value, bands });
}

/** A stored deck was valid when stored; failing now means an incompatible change: a bug. */
function parseStoredDeck(
  csvText: string,
  bandsText: string | null,
  settings: RateDeck['settings'],
): RateDeck {
  let bands: TimeBandSet | undefined;
  if (bandsText !== null) {
    const parsedBands = parseTimeBandsCsv(bandsText);
    if (!parsedBands.ok) throw new Error(`stored bands no longer parse: ${parsedBands.message}`);
    bands = parsedBands.value;
  }
  const deck = parseRateDeckCsv(csvText, { settings, bands });
  if (!deck.ok) throw new Error(`a stored deck no longer parses: ${deck.message}`);
  return deck.value;
}

import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  assembleRateDeck,
  assert,
  parseRateDeckImage,
  parseRateDeckSettings,
  parseTimeBandsCsv,
  problem,
  rateDeckLimits,
  success,
  type AssembledDeck,
  type Clock,
  type DeckImportCode,
  type DeckProvider,
  type RateDeck,
  type RateDeckImage,
  type RateDeckSettingsInput,
  type Result,
  type TimeBandSet,
} from '@tollgate/core';
import { DeckImportThread, type DeckParseJob, type DeckParsePurpose } from
  './deck-import-thread.ts';
import type { DeckLimitCode } from './deck-limit-codes.ts';
import type { DeckStore, DeckSummary, TimeBandsSource } from './deck-store.ts';

export interface DeckImportInput {
  /** Only the demo seed names its decks; the API lets the server choose. */
  readonly id?: string;
  readonly name: string;
  readonly ownerAccountId: string | null;
  /** The root of the owner's tree, whose quota the deck counts in; null or absent: none. */
  readonly rootAccountId?: string | null;
  readonly settings: RateDeckSettingsInput;
  readonly csvText: string;
  /** The time-band upload the deck's `time_band` column names, already looked up. */
  readonly bands: TimeBandsSource | null;
  /** The uploader's bounds; absent: the core's row bound and no quota (the operator). */
  readonly limits?: DeckImportLimits;
}

export interface DeckImportLimits {
  readonly rowsMax: number;
  /** Decks the owner's tree may hold; null: no bound. */
  readonly treeDecksMax: number | null;
}

export interface TimeBandsImportInput {
  readonly name: string;
  readonly ownerAccountId: string | null;
  readonly csvText: string;
}

export type DeckCatalogCode = DeckImportCode | DeckLimitCode;

/**
 * The decks of the running process: imports (validate, parse, store) and the `DeckProvider`
 * charging reads from. Parsing a large deck takes seconds, so it runs on a worker thread
 * (`DeckImportThread`) and the event loop only assembles the result in small steps between
 * requests (`assembleRateDeck`): calls are priced on time while a million-row deck uploads.
 * Parsed decks are cached, least recently used first out; decks never change once stored, so
 * the cache cannot go stale.
 */
export interface DeckCatalog extends DeckProvider {
  importDeck(input: DeckImportInput): Promise<Result<DeckSummary, DeckCatalogCode>>;
  importTimeBands(input: TimeBandsImportInput): Promise<Result<TimeBandsSource, DeckImportCode>>;
  /** Parses up to `count` stored decks ahead of the first calls (at start-up). */
  warmUp(count: number): Promise<number>;
  readonly cachedCount: () => number;
  /** What a loaded deck keeps in memory (an estimate, `deck-memory.ts`); null: not loaded. */
  memoryBytesOf(id: string): number | null;
  /** The sum of `memoryBytesOf` over the decks loaded now. */
  memoryBytesLoaded(): number;
  /** Stored decks parsed because memory lacked them (cache misses), since start. */
  loadsCount(): number;
  /** Decks the worker thread has parsed so far (tests check where parsing ran). */
  threadParsedCount(): number;
  close(): Promise<void>;
}

export interface DeckCatalogDeps {
  readonly store: DeckStore;
  readonly clock: Clock;
  readonly decksCachedMax: number;
  /** Uploads that may wait for the parser thread; more are refused with `deck_import_busy`. */
  readonly uploadsQueuedMax: number;
  /** Server-side ids: `deck_...`, `bands_...`. */
  readonly newId: (prefix: 'deck' | 'bands') => string;
}

export const deckCatalogLimits = {
  /**
   * A CSV this small is parsed on the event loop: about 350 rows, 2 ms on the 2-core bench
   * machine, less than the round trip to the worker thread would cost.
   */
  inlineCharsMax: 16_384,
  /** Rows or records assembled between two turns of the event loop: about a millisecond. */
  assemblyUnitsPerStep: 8_192,
} as const;

/** Assembled decks by id, least recently used first out beyond `decksCachedMax`. */
function deckCache(decksCachedMax: number) {
  const cache = new Map<string, AssembledDeck>();
  return {
    remember: (id: string, assembled: AssembledDeck): void => {
      cache.delete(id);
      cache.set(id, assembled);
      while (cache.size > decksCachedMax) {
        const oldest = cache.keys().next().value;
        if (oldest === undefined) break;
        cache.delete(oldest);
      }
    },
    /** The deck if loaded, made the most recently used (eviction takes the first key). */
    touch: (id: string): RateDeck | undefined => {
      const cached = cache.get(id);
      if (cached !== undefined) {
        cache.delete(id);
        cache.set(id, cached);
      }
      return cached?.deck;
    },
    size: () => cache.size,
    memoryBytesOf: (id: string) => cache.get(id)?.memoryBytes ?? null,
    memoryBytesLoaded: () => {
      let total = 0;
      for (const assembled of cache.values()) total += assembled.memoryBytes;
      return total;
    },
  };
}

export function createDeckCatalog(deps: DeckCatalogDeps): DeckCatalog {
  const cache = deckCache(deps.decksCachedMax);
  const thread = new DeckImportThread({ uploadsQueuedMax: deps.uploadsQueuedMax });
  // One parse per deck even when many calls ask for it at once after a restart.
  const loading = new Map<string, Promise<RateDeck | null>>();
  let loads = 0;
  const load = async (id: string): Promise<RateDeck | null> => {
    const source = await deps.store.findDeck(id);
    if (source === null) return null;
    loads += 1;
    const assembled = await parseStoredDeck(thread, source.csvText, source.bandsText,
      source.settings);
    cache.remember(id, assembled);
    return assembled.deck;
  };
  const getDeck = async (id: string): Promise<RateDeck | null> => {
    const cached = cache.touch(id);
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
    loadedDeck: cache.touch,
    importDeck: (input) => importDeck(deps, thread, input, cache.remember),
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
      await deps.store.removeUnfinishedParts(deps.clock.nowMs());
      const summaries = await deps.store.listDecks({ limit: Math.min(count,
        deps.decksCachedMax) });
      for (const summary of summaries) await getDeck(summary.id);
      return summaries.length;
    },
    cachedCount: cache.size,
    memoryBytesOf: cache.memoryBytesOf,
    memoryBytesLoaded: cache.memoryBytesLoaded,
    loadsCount: () => loads,
    threadParsedCount: () => thread.parsedCount,
    close: () => thread.close(),
  };
}

/**
 * Validate, parse (off the event loop), store, then assemble and cache. Every refusal comes
 * before the store is written, or (the quota, checked again as the deck is stored) leaves it
 * as it was.
 */
async function importDeck(
  deps: DeckCatalogDeps,
  thread: DeckImportThread,
  input: DeckImportInput,
  remember: (id: string, assembled: AssembledDeck) => void,
): Promise<Result<DeckSummary, DeckCatalogCode>> {
  const settings = parseRateDeckSettings(input.settings);
  if (!settings.ok) return settings;
  const bands = parseBands(input.bands);
  if (!bands.ok) return bands;
  const limits = input.limits ?? { rowsMax: rateDeckLimits.rowsMax, treeDecksMax: null };
  const rootAccountId = input.rootAccountId ?? null;
  // Refused before the CPU is spent; checked again, atomically, when the deck is stored.
  if (limits.treeDecksMax !== null && rootAccountId !== null &&
    await deps.store.countTreeDecks(rootAccountId) >= limits.treeDecksMax) {
    return quotaProblem(rootAccountId, limits.treeDecksMax);
  }
  const parsed = await parseDeck(thread, { csvText: input.csvText, settings: settings.value,
    bands: bands.value, rowsMax: limits.rowsMax }, 'upload');
  if (parsed === 'busy') {
    return problem('deck_import_busy', 'other deck uploads are being parsed: retry shortly');
  }
  if (!parsed.ok) return parsed;
  const summary: DeckSummary = { id: input.id ?? deps.newId('deck'), name: input.name,
    ownerAccountId: input.ownerAccountId, settings: settings.value,
    rowCount: parsed.value.rowCount, bandsId: input.bands?.id ?? null,
    createdAtMs: deps.clock.nowMs() };
  const saved = await deps.store.saveDeck({ ...summary, rootAccountId, csvText: input.csvText,
    bandsText: input.bands?.csvText ?? null }, { treeDecksMax: limits.treeDecksMax });
  if (saved === 'deck_quota_exceeded') {
    assert(rootAccountId !== null && limits.treeDecksMax !== null, 'only a tree has a quota');
    return quotaProblem(rootAccountId, limits.treeDecksMax);
  }
  remember(summary.id, await assemble(parsed.value, bands.value));
  return success(summary);
}

function quotaProblem(rootAccountId: string, treeDecksMax: number) {
  return problem('deck_quota_exceeded', `the tree of ${rootAccountId} holds ${treeDecksMax} ` +
    'decks, its quota: delete one or ask the operator');
}

function parseBands(bands: TimeBandsSource | null): Result<TimeBandSet | null, DeckImportCode> {
  if (bands === null) return success(null);
  return parseTimeBandsCsv(bands.csvText);
}

/** A small deck on the event loop, a large one on the thread. */
async function parseDeck(thread: DeckImportThread, job: DeckParseJob,
  purpose: DeckParsePurpose): Promise<Result<RateDeckImage, DeckImportCode> | 'busy'> {
  if (job.csvText.length > deckCatalogLimits.inlineCharsMax) return thread.parse(job, purpose);
  return parseRateDeckImage(job.csvText, { settings: job.settings,
    bands: job.bands ?? undefined, rowsMax: job.rowsMax });
}

/** The deck of an image, built a bounded step at a time between turns of the event loop. */
async function assemble(image: RateDeckImage, bands: TimeBandSet | null):
  Promise<AssembledDeck> {
  const assembly = assembleRateDeck(image, bands ?? new Map());
  // Every step does at least one unit: rows, records and table entries bound the steps.
  const stepsMax = Math.ceil((image.rowCount * 3 + image.amountsMicros.length +
    image.destinationEnd.length) / deckCatalogLimits.assemblyUnitsPerStep) + 8;
  for (let step = 0; !assembly.step(deckCatalogLimits.assemblyUnitsPerStep); step += 1) {
    assert(step < stepsMax, 'an assembly ends within its step bound');
    await nextTurn();
  }
  return assembly.result();
}

/** A stored deck was valid when stored; failing now means an incompatible change: a bug. */
async function parseStoredDeck(
  thread: DeckImportThread,
  csvText: string,
  bandsText: string | null,
  settings: RateDeck['settings'],
): Promise<AssembledDeck> {
  let bands: TimeBandSet | null = null;
  if (bandsText !== null) {
    const parsedBands = parseTimeBandsCsv(bandsText);
    if (!parsedBands.ok) throw new Error(`stored bands no longer parse: ${parsedBands.message}`);
    bands = parsedBands.value;
  }
  const image = await parseDeck(thread, { csvText, settings, bands,
    rowsMax: rateDeckLimits.rowsMax }, 'load');
  if (image === 'busy') throw new Error('too many stored decks are waiting to be parsed');
  if (!image.ok) throw new Error(`a stored deck no longer parses: ${image.message}`);
  return assemble(image.value, bands);
}

import type { RateDeckSettings } from '@tollgate/core';

/**
 * A rate deck as uploaded: the CSV text and its settings, kept verbatim so that the deck can be
 * parsed again after a restart and downloaded as it was sent. Immutable once stored.
 */
export interface DeckSource extends DeckSummary {
  readonly csvText: string;
  /** The time-band file the deck was imported with, copied so the deck stands alone. */
  readonly bandsText: string | null;
}

/** A deck to store, with the tree it counts in. */
export interface NewDeck extends DeckSource {
  /** The root of the owner's tree (its quota counts the decks here); null for the operator. */
  readonly rootAccountId: string | null;
}

/** `deck_quota_exceeded`: the tree already holds `treeDecksMax` decks; nothing was stored. */
export type SaveDeckOutcome = 'saved' | 'deck_quota_exceeded';

export interface DeckSummary {
  readonly id: string;
  readonly name: string;
  /** The account that uploaded it; null for the operator key. */
  readonly ownerAccountId: string | null;
  readonly settings: RateDeckSettings;
  readonly rowCount: number;
  /** The time-band upload it used, or null. */
  readonly bandsId: string | null;
  readonly createdAtMs: number;
}

/** A time-band file uploaded on its own, before the decks that name it. */
export interface TimeBandsSource {
  readonly id: string;
  readonly name: string;
  readonly ownerAccountId: string | null;
  readonly bandCount: number;
  readonly csvText: string;
  readonly createdAtMs: number;
}

export interface DeckListQuery {
  /** Only decks of this owner; undefined: every deck (the operator). */
  readonly ownerAccountId?: string;
  readonly afterId?: string;
  readonly limit: number;
}

/** Where deck sources live (SQLite and PostgreSQL adapters in storage/). */
export interface DeckStore {
  /**
   * Stores a deck unless its tree holds `treeDecksMax` decks already (null: no bound). The
   * CSV is written in parts of bounded size, each its own statement, so that no single write
   * holds the database (and, on SQLite, the event loop) for long; the deck appears only once
   * every part is written, and a refused deck leaves no part behind.
   */
  saveDeck(deck: NewDeck, quota: { readonly treeDecksMax: number | null }):
    Promise<SaveDeckOutcome>;
  /** Decks counted in the tree of `rootAccountId`. */
  countTreeDecks(rootAccountId: string): Promise<number>;
  /**
   * Removes the parts of decks whose save never finished (a crash mid-way), once they are old
   * enough not to be an upload in progress; at start-up. How many parts.
   */
  removeUnfinishedParts(nowMs: number): Promise<number>;
  findDeck(id: string): Promise<DeckSource | null>;
  findDeckSummary(id: string): Promise<DeckSummary | null>;
  /** Sorted by id. */
  listDecks(query: DeckListQuery): Promise<DeckSummary[]>;
  saveTimeBands(source: TimeBandsSource): Promise<void>;
  findTimeBands(id: string): Promise<TimeBandsSource | null>;
}

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
  saveDeck(source: DeckSource): Promise<void>;
  findDeck(id: string): Promise<DeckSource | null>;
  findDeckSummary(id: string): Promise<DeckSummary | null>;
  /** Sorted by id. */
  listDecks(query: DeckListQuery): Promise<DeckSummary[]>;
  saveTimeBands(source: TimeBandsSource): Promise<void>;
  findTimeBands(id: string): Promise<TimeBandsSource | null>;
}

import type { ChargingService, Clock, LedgerService } from '@tollgate/core';
import type { Access } from '../auth/access.ts';
import type { ApiKeys } from '../auth/api-keys.ts';
import type { DeckCatalog } from '../decks/deck-catalog.ts';
import type { DeckStore } from '../decks/deck-store.ts';
import type { Config } from '../config/config-schema.ts';

/** What the routes use: use cases and ports only, never a database handle. */
export interface AppServices {
  readonly clock: Clock;
  readonly ledger: LedgerService;
  readonly charging: ChargingService;
  readonly decks: DeckCatalog;
  readonly deckStore: DeckStore;
  readonly apiKeys: ApiKeys;
  readonly access: Access;
}

/** The settings the HTTP layer reads. */
export type HttpConfig = Pick<Config, 'bodyBytesMax' | 'deckBodyBytesMax' | 'requestTimeoutMs' |
  'logLevel'>;

/** Bounds of the HTTP layer. */
export const httpLimits = {
  pageSizeDefault: 100,
  /** Also in the query schemas (`limit` maximum). */
  pageSizeMax: 1_000,
  /** Longest URL path parameter (a session id is at most 200 characters). */
  paramLengthMax: 500,
} as const;

/**
 * Codes of the limits on deck uploads (issue 14, finding 7), beside the parser's own
 * (`too_many_rows` for a tenant's row bound, `body_too_large` for its byte bound). Stable:
 * never renamed, never reused.
 */
export const deckLimitCodes = [
  /** The owner's tree holds `deckTreeDecksMax` decks already. */
  'deck_quota_exceeded',
  /** `deckImportsQueuedMax` uploads already wait for the parser thread: retry shortly. */
  'deck_import_busy',
] as const;

export type DeckLimitCode = (typeof deckLimitCodes)[number];

import { deckPartsBackfillSql } from '../shared/deck-parts-backfill.ts';
import type { Migration } from '../shared/migration.ts';

/**
 * Issue 14, finding 7. A deck's CSV moves to parts of bounded size (one INSERT of a 44 MB
 * text held the event loop for a third of a second), and each deck records the root of its
 * owner's tree, which the per-tree deck quota counts. Existing decks become one part each
 * (their text stays readable; `csv_text` keeps '' from now on), and their root is found by
 * walking the owner's chain (`deck-parts-backfill.ts`, the same on both dialects). Version
 * 11 on both dialects: 9 and 10 are taken by other work.
 */
export const sqliteDeckPartsMigration: Migration = {
  version: 11,
  name: 'deck_parts',
  sql: `
CREATE TABLE rate_deck_parts (
  deck_id TEXT NOT NULL,
  part INTEGER NOT NULL CHECK (part >= 0),
  csv_text TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (deck_id, part)
) STRICT;
ALTER TABLE rate_decks ADD COLUMN part_count INTEGER NOT NULL DEFAULT 0 CHECK (part_count >= 0);
ALTER TABLE rate_decks ADD COLUMN root_account_id TEXT;
${deckPartsBackfillSql}`,
};

/**
 * The part of migration 11 (`*-deck-parts-migration.ts`) that is the same SQL on both
 * dialects: existing decks become one part each, and each records the root of its owner's
 * tree, found by walking the owner's chain (bounded like the ledger's, 64 levels).
 */
export const deckPartsBackfillSql = `
INSERT INTO rate_deck_parts (deck_id, part, csv_text, created_at_ms)
  SELECT id, 0, csv_text, created_at_ms FROM rate_decks;
UPDATE rate_decks SET part_count = 1, csv_text = '';
UPDATE rate_decks SET root_account_id = (
  WITH RECURSIVE chain (id, parent_id, depth) AS (
    SELECT a.id, a.parent_id, 0 FROM accounts a WHERE a.id = rate_decks.owner_account_id
    UNION ALL
    SELECT a.id, a.parent_id, chain.depth + 1 FROM accounts a
      JOIN chain ON a.id = chain.parent_id WHERE chain.depth < 64)
  SELECT id FROM chain WHERE parent_id IS NULL)
WHERE owner_account_id IS NOT NULL;
CREATE INDEX rate_decks_by_root ON rate_decks (root_account_id);
`;

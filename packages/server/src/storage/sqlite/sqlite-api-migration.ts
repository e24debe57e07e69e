import type { Migration } from '../shared/migration.ts';

/**
 * The HTTP API's own tables: rate-deck sources (the CSV as uploaded, parsed again on demand),
 * time-band files uploaded before the deck that uses them, and API keys (only their SHA-256 is
 * stored). Decks are immutable once stored, so a parsed deck in memory never goes stale.
 */
export const sqliteApiMigration: Migration = {
  version: 3,
  name: 'api',
  sql: `
CREATE TABLE rate_decks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_account_id TEXT REFERENCES accounts (id),
  currency TEXT NOT NULL,
  decimals INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 6),
  rounding TEXT NOT NULL,
  zone TEXT NOT NULL,
  row_count INTEGER NOT NULL CHECK (row_count > 0),
  bands_id TEXT,
  csv_text TEXT NOT NULL,
  bands_text TEXT,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX rate_decks_by_owner ON rate_decks (owner_account_id, id);

CREATE TABLE time_bands (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_account_id TEXT REFERENCES accounts (id),
  band_count INTEGER NOT NULL CHECK (band_count > 0),
  csv_text TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  label TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
) STRICT;
CREATE INDEX api_keys_by_account ON api_keys (account_id, id);
`,
};

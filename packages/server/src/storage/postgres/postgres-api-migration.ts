import type { Migration } from '../shared/migration.ts';

/** The PostgreSQL twin of sqlite-api-migration.ts: same tables, same constraints. */
export const postgresApiMigration: Migration = {
  version: 3,
  name: 'api',
  sql: `
CREATE TABLE rate_decks (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  owner_account_id TEXT COLLATE "C" REFERENCES accounts (id),
  currency TEXT NOT NULL,
  decimals INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 6),
  rounding TEXT NOT NULL,
  zone TEXT NOT NULL,
  row_count INTEGER NOT NULL CHECK (row_count > 0),
  bands_id TEXT COLLATE "C",
  csv_text TEXT NOT NULL,
  bands_text TEXT,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX rate_decks_by_owner ON rate_decks (owner_account_id, id);

CREATE TABLE time_bands (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  owner_account_id TEXT COLLATE "C" REFERENCES accounts (id),
  band_count INTEGER NOT NULL CHECK (band_count > 0),
  csv_text TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT COLLATE "C" PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  label TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  revoked_at_ms BIGINT
);
CREATE INDEX api_keys_by_account ON api_keys (account_id, id);
`,
};

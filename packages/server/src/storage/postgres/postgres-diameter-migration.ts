import type { Migration } from '../shared/migration.ts';

/** The Diameter identity table (see sqlite-diameter-migration.ts), PostgreSQL dialect. */
export const postgresDiameterMigration: Migration = {
  version: 7,
  name: 'diameter',
  sql: `
CREATE TABLE subscriber_identities (
  kind TEXT NOT NULL CHECK (kind IN ('e164', 'imsi', 'sip_uri', 'nai', 'private')),
  identity TEXT COLLATE "C" NOT NULL CHECK (length(identity) BETWEEN 1 AND 256),
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  charging TEXT NOT NULL CHECK (charging IN ('online', 'not_applicable')),
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (kind, identity)
);
CREATE INDEX subscriber_identities_by_account ON subscriber_identities (account_id, kind, identity);
`,
};

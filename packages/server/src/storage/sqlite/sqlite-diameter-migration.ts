import type { Migration } from '../shared/migration.ts';

/**
 * The Diameter front end's identity table: a Subscription-Id (E.164 number, SIP URI, IMSI, NAI
 * or private id, normalized) names the account a CCR charges; `not_applicable` marks a known
 * subscriber of that account whose calls are not credit controlled (answered 4011).
 */
export const sqliteDiameterMigration: Migration = {
  version: 7,
  name: 'diameter',
  sql: `
CREATE TABLE subscriber_identities (
  kind TEXT NOT NULL CHECK (kind IN ('e164', 'imsi', 'sip_uri', 'nai', 'private')),
  identity TEXT NOT NULL CHECK (length(identity) BETWEEN 1 AND 256),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  charging TEXT NOT NULL CHECK (charging IN ('online', 'not_applicable')),
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (kind, identity)
) STRICT, WITHOUT ROWID;
CREATE INDEX subscriber_identities_by_account ON subscriber_identities (account_id, kind, identity);
`,
};

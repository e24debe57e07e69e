import type { Migration } from '../shared/migration.ts';

/**
 * Least-cost routing: carriers (each with its deck and its own ledger account), routing
 * policies and route plan lines per account, and the carrier of each session and CDR.
 */
export const sqliteRoutingMigration: Migration = {
  version: 4,
  name: 'routing',
  sql: `
CREATE TABLE carriers (
  id TEXT PRIMARY KEY,
  root_account_id TEXT NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  rate_deck_id TEXT NOT NULL REFERENCES rate_decks (id),
  currency TEXT NOT NULL,
  gateway TEXT NOT NULL,
  priority INTEGER NOT NULL CHECK (priority >= 0),
  weight INTEGER NOT NULL CHECK (weight >= 0),
  concurrent_calls_max INTEGER CHECK (concurrent_calls_max >= 0),
  calls_per_second_max INTEGER CHECK (calls_per_second_max > 0),
  state TEXT NOT NULL CHECK (state IN ('active', 'disabled')),
  account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX carriers_by_root ON carriers (root_account_id, id);

CREATE TABLE routing_policies (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  strategy TEXT NOT NULL CHECK (strategy IN ('least_cost', 'priority', 'quality', 'load_share')),
  margin_policy TEXT NOT NULL CHECK (margin_policy IN ('protect', 'allow_loss')),
  updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE route_rules (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  prefix TEXT NOT NULL,
  carrier_id TEXT NOT NULL REFERENCES carriers (id),
  action TEXT NOT NULL CHECK (action IN ('pin', 'block')),
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (account_id, prefix, carrier_id)
) STRICT;

ALTER TABLE sessions ADD COLUMN carrier_id TEXT;
CREATE INDEX sessions_live_by_carrier ON sessions (carrier_id)
  WHERE state = 'live' AND carrier_id IS NOT NULL;
ALTER TABLE cdrs ADD COLUMN carrier_id TEXT;
ALTER TABLE cdrs ADD COLUMN carrier_json TEXT;
`,
};

import type { Migration } from '../shared/migration.ts';

/**
 * Fraud control (issue 8): rule configs per account, operator risk lists, alerts (a dedupe key
 * makes "once per period" alerts unique), blocks and suspensions with their cool-down, profile
 * snapshots for the restart, and the delivery state of each alert per target.
 */
export const sqliteFraudMigration: Migration = {
  version: 5,
  name: 'fraud',
  sql: `
CREATE TABLE fraud_configs (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id),
  config_json TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE fraud_risk_lists (
  id TEXT PRIMARY KEY,
  owner_account_id TEXT REFERENCES accounts (id),
  name TEXT NOT NULL,
  prefixes_json TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('alert', 'block_destination', 'suspend')),
  calls_threshold INTEGER NOT NULL CHECK (calls_threshold > 0),
  window_ms INTEGER NOT NULL CHECK (window_ms > 0),
  updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE fraud_alerts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  root_account_id TEXT NOT NULL,
  scope_path TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('alert', 'block_destination', 'suspend')),
  destination TEXT,
  message TEXT NOT NULL,
  details_json TEXT NOT NULL,
  measure_id TEXT,
  dedupe_key TEXT UNIQUE,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX fraud_alerts_by_account ON fraud_alerts (account_id, id);

CREATE TABLE fraud_measures (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  scope_path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('block_destination', 'suspend')),
  prefix TEXT,
  rule_id TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  suspended_in_ledger INTEGER NOT NULL CHECK (suspended_in_ledger IN (0, 1)),
  released_at_ms INTEGER,
  released_by TEXT CHECK (released_by IN ('cool_down', 'manual')),
  CHECK ((kind = 'suspend') = (prefix IS NULL)),
  CHECK ((released_at_ms IS NULL) = (released_by IS NULL))
) STRICT;
CREATE INDEX fraud_measures_active ON fraud_measures (id) WHERE released_at_ms IS NULL;

CREATE TABLE fraud_profiles (
  account_id TEXT PRIMARY KEY,
  profile_json TEXT NOT NULL,
  saved_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE fraud_deliveries (
  alert_id TEXT NOT NULL REFERENCES fraud_alerts (id),
  target TEXT NOT NULL CHECK (target IN ('webhook', 'nats')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (alert_id, target)
) STRICT;
CREATE INDEX fraud_deliveries_due ON fraud_deliveries (next_attempt_at_ms)
  WHERE status = 'pending';

-- The restart replays the last day of CDRs and every live session; without these it would scan
-- every CDR and session ever written.
CREATE INDEX fraud_cdrs_by_end ON cdrs (ended_at_ms, id);
CREATE INDEX fraud_sessions_live ON sessions (session_id) WHERE state = 'live';
`,
};

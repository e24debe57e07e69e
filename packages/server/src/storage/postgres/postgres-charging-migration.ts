import type { Migration } from '../shared/migration.ts';

/** The PostgreSQL twin of sqlite-charging-migration.ts: same tables, same constraints. */
export const postgresChargingMigration: Migration = {
  version: 2,
  name: 'charging',
  sql: `
CREATE TABLE sessions (
  session_id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  state TEXT NOT NULL CHECK (state IN ('live', 'closed', 'refused')),
  caller TEXT NOT NULL,
  callee TEXT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  last_request_number INTEGER NOT NULL CHECK (last_request_number >= 0),
  used_seconds INTEGER NOT NULL CHECK (used_seconds >= 0),
  granted_until_seconds INTEGER NOT NULL CHECK (granted_until_seconds >= 0),
  hangup_at_ms BIGINT NOT NULL,
  deadline_ms BIGINT NOT NULL,
  data_json TEXT NOT NULL,
  last_answer_json TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX sessions_live_by_deadline ON sessions (deadline_ms) WHERE state = 'live';

CREATE TABLE session_levels (
  account_id TEXT COLLATE "C" NOT NULL,
  session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (session_id),
  PRIMARY KEY (account_id, session_id)
);

CREATE TABLE cdrs (
  id TEXT COLLATE "C" PRIMARY KEY,
  session_id TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id TEXT COLLATE "C" NOT NULL,
  caller TEXT NOT NULL,
  callee TEXT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms BIGINT NOT NULL,
  used_seconds INTEGER NOT NULL,
  billed_seconds INTEGER NOT NULL,
  bundle_seconds INTEGER NOT NULL,
  cost_micros BIGINT NOT NULL CHECK (cost_micros >= 0),
  currency TEXT NOT NULL,
  disposition TEXT NOT NULL,
  levels_json TEXT NOT NULL
);

CREATE TABLE cdr_levels (
  account_id TEXT COLLATE "C" NOT NULL,
  cdr_id TEXT COLLATE "C" NOT NULL REFERENCES cdrs (id),
  PRIMARY KEY (account_id, cdr_id)
);

CREATE TABLE bundles (
  id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  prefixes_json TEXT NOT NULL,
  time_band TEXT,
  seconds_remaining INTEGER NOT NULL CHECK (seconds_remaining >= 0),
  valid_until_ms BIGINT,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX bundles_by_account ON bundles (account_id, id);
`,
};

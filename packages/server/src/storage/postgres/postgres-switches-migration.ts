import type { Migration } from '../shared/migration.ts';

/** The same table as SQLite's migration 6 (sqlite-switches-migration.ts says why). */
export const postgresSwitchesMigration: Migration = {
  version: 6,
  name: 'switches',
  sql: `
CREATE TABLE session_origins (
  session_id TEXT COLLATE "C" PRIMARY KEY,
  integration TEXT NOT NULL,
  call_ref_json TEXT NOT NULL,
  request_number INTEGER NOT NULL CHECK (request_number >= 0),
  killed_at_ms BIGINT,
  kill_answer_json TEXT,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX session_origins_by_created ON session_origins (created_at_ms);
`,
};

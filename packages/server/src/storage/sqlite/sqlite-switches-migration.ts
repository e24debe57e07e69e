import type { Migration } from '../shared/migration.ts';

/**
 * Which switch integration carries each session and how to reach the call there (switches/
 * teardown): an ESL channel uuid, a Kamailio dialog's h_entry/h_id, a RADIUS NAS and
 * Acct-Session-Id. Also the request number the front end used last (it numbers the switch's
 * reports) and the settlement of a kill, returned to reports that arrive after it.
 */
export const sqliteSwitchesMigration: Migration = {
  version: 6,
  name: 'switches',
  sql: `
CREATE TABLE session_origins (
  session_id TEXT PRIMARY KEY,
  integration TEXT NOT NULL,
  call_ref_json TEXT NOT NULL,
  request_number INTEGER NOT NULL CHECK (request_number >= 0),
  killed_at_ms INTEGER,
  kill_answer_json TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX session_origins_by_created ON session_origins (created_at_ms);
`,
};

import type { Migration } from '../shared/migration.ts';

/** The same column as SQLite's migration 13 (sqlite-origins-ended-migration.ts says why). */
export const postgresOriginsEndedMigration: Migration = {
  version: 13,
  name: 'origins_ended',
  sql: `
ALTER TABLE session_origins ADD COLUMN ended_at_ms BIGINT;
CREATE INDEX session_origins_live ON session_origins (integration, ended_at_ms, session_id);
`,
};

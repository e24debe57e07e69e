import type { Migration } from '../shared/migration.ts';

/**
 * When a switch's call ended (its last session terminated), so that an agent that restarts
 * finds the calls it still owns: its origins without an end (switches/freeswitch, re-attach).
 */
export const sqliteOriginsEndedMigration: Migration = {
  version: 13,
  name: 'origins_ended',
  sql: `
ALTER TABLE session_origins ADD COLUMN ended_at_ms INTEGER;
CREATE INDEX session_origins_live ON session_origins (integration, ended_at_ms, session_id);
`,
};

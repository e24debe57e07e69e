import type { Migration } from '../shared/migration.ts';

/** The same columns as SQLite's migration 9 (sqlite-api-key-scopes-migration.ts says why). */
export const postgresApiKeyScopesMigration: Migration = {
  version: 9,
  name: 'api_key_scopes',
  sql: `
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'full'
  CHECK (scope IN ('full', 'charging', 'read_only'));
ALTER TABLE api_keys ADD COLUMN expires_at_ms BIGINT;
ALTER TABLE api_keys ADD COLUMN last_used_at_ms BIGINT;
`,
};

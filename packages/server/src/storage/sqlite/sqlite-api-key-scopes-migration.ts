import type { Migration } from '../shared/migration.ts';

/**
 * Scopes, expiry and last use of API keys (auth/README.md). Keys made before get the scope
 * `full` (what they could do until now), no expiry and no recorded use. The CHECK repeats the
 * list of scopes so a bug in an adapter cannot store an unknown one. Version 8 is PostgreSQL's
 * engine ownership, which SQLite has no use for; versions 10 and 11 are taken by other work.
 */
export const sqliteApiKeyScopesMigration: Migration = {
  version: 9,
  name: 'api_key_scopes',
  sql: `
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'full'
  CHECK (scope IN ('full', 'charging', 'read_only'));
ALTER TABLE api_keys ADD COLUMN expires_at_ms INTEGER;
ALTER TABLE api_keys ADD COLUMN last_used_at_ms INTEGER;
`,
};
